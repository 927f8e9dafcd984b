//! LTI 1.1 role lists (`roles=Instructor,urn:lti:role:ims/lis/Learner`) mapped onto
//! the roles Black Belt acts on.

use super::claims::Role;

pub fn roles_11(list: &str) -> Vec<Role> {
    list.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(Role::from_uri)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_urn_roles_map() {
        assert_eq!(
            roles_11(
                "Learner, urn:lti:role:ims/lis/Instructor,urn:lti:instrole:ims/lis/Administrator,Guest"
            ),
            vec![
                Role::Learner,
                Role::Instructor,
                Role::Administrator,
                Role::Other
            ]
        );
        assert!(roles_11("").is_empty());
    }
}
