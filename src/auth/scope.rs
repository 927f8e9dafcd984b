//! xAPI authorization scopes plus Black Belt's own `admin`.
//! Spec: xAPI-Communication 4.2 (OAuth 1.0 Authorization Scope).

use std::fmt;
use std::str::FromStr;

/// One permission a credential can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    AllRead,
    StatementsRead,
    StatementsReadMine,
    StatementsWrite,
    State,
    Define,
    Profile,
    Admin,
}

impl Scope {
    pub const EVERY: [Scope; 9] = [
        Scope::All,
        Scope::AllRead,
        Scope::StatementsRead,
        Scope::StatementsReadMine,
        Scope::StatementsWrite,
        Scope::State,
        Scope::Define,
        Scope::Profile,
        Scope::Admin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::AllRead => "all/read",
            Scope::StatementsRead => "statements/read",
            Scope::StatementsReadMine => "statements/read/mine",
            Scope::StatementsWrite => "statements/write",
            Scope::State => "state",
            Scope::Define => "define",
            Scope::Profile => "profile",
            Scope::Admin => "admin",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Scope::EVERY
            .into_iter()
            .find(|scope| scope.name() == text.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Scope::EVERY.iter().map(|s| s.name()).collect();
                format!("unknown scope {text:?}; known scopes: {}", names.join(", "))
            })
    }
}

/// The set of scopes one credential carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u16);

impl Scopes {
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn insert(&mut self, scope: Scope) {
        self.0 |= scope.bit();
    }

    /// Parses `all,statements/read`; rejects unknown names and empty lists.
    pub fn parse_list(text: &str) -> Result<Scopes, String> {
        let mut scopes = Scopes::default();
        for name in text.split(',').filter(|s| !s.trim().is_empty()) {
            scopes.insert(name.parse()?);
        }
        if scopes.0 == 0 {
            return Err("at least one scope is required".into());
        }
        Ok(scopes)
    }

    pub fn to_list(self) -> String {
        let names: Vec<_> = Scope::EVERY
            .into_iter()
            .filter(|scope| self.contains(scope.to_owned()))
            .map(Scope::name)
            .collect();
        names.join(",")
    }

    /// May this credential read every statement?
    pub fn reads_all_statements(self) -> bool {
        self.contains(Scope::All)
            || self.contains(Scope::AllRead)
            || self.contains(Scope::StatementsRead)
    }

    /// May it read at least the statements it wrote?
    pub fn reads_own_statements(self) -> bool {
        self.reads_all_statements() || self.contains(Scope::StatementsReadMine)
    }

    pub fn writes_statements(self) -> bool {
        self.contains(Scope::All) || self.contains(Scope::StatementsWrite)
    }

    /// May it read documents guarded by `scope` (`state` or `profile`)?
    pub fn reads_documents(self, scope: Scope) -> bool {
        self.writes_documents(scope) || self.contains(Scope::AllRead)
    }

    /// May it write documents guarded by `scope` (`state` or `profile`)?
    pub fn writes_documents(self, scope: Scope) -> bool {
        self.contains(Scope::All) || self.contains(scope)
    }

    /// May it read Activity and Agent (Person) objects?
    pub fn reads_definitions(self) -> bool {
        self.reads_all_statements()
            || self.contains(Scope::Define)
            || self.contains(Scope::Profile)
            || self.contains(Scope::State)
    }

    pub fn is_admin(self) -> bool {
        self.contains(Scope::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip() {
        let scopes = Scopes::parse_list("statements/write, statements/read/mine").unwrap();
        assert_eq!(scopes.to_list(), "statements/read/mine,statements/write");
    }

    #[test]
    fn unknown_scope_names_are_rejected_with_the_known_list() {
        let err = Scopes::parse_list("statements/delete").unwrap_err();
        assert!(err.contains("statements/read/mine"));
    }

    #[test]
    fn all_read_reads_but_does_not_write() {
        let scopes = Scopes::parse_list("all/read").unwrap();
        assert!(scopes.reads_all_statements());
        assert!(!scopes.writes_statements());
    }

    #[test]
    fn state_scope_guards_state_documents_only() {
        let scopes = Scopes::parse_list("state").unwrap();
        assert!(scopes.writes_documents(Scope::State));
        assert!(!scopes.writes_documents(Scope::Profile));
        let read = Scopes::parse_list("all/read").unwrap();
        assert!(read.reads_documents(Scope::Profile));
        assert!(!read.writes_documents(Scope::Profile));
    }

    #[test]
    fn mine_reads_only_its_own() {
        let scopes = Scopes::parse_list("statements/read/mine").unwrap();
        assert!(scopes.reads_own_statements());
        assert!(!scopes.reads_all_statements());
    }
}
