//! A small SQL builder for the hot statement queries: `?` placeholders, rewritten to
//! `$n` on PostgreSQL, so one text serves both backends and stays readable.

use sea_orm::{DbBackend, Statement, Value};

#[derive(Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text without values.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends SQL text containing one `?`, bound to `value`.
    pub fn bind(&mut self, text: &str, value: impl Into<Value>) -> &mut Self {
        self.text.push_str(text);
        self.values.push(value.into());
        self
    }

    /// Appends `(?, ?, ...)` for a list of values.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.text.push('(');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.text.push('?');
            self.values.push(value.into());
        }
        self.text.push(')');
        self
    }

    pub fn build(self, backend: DbBackend) -> Statement {
        let text = match backend {
            DbBackend::Postgres => numbered(&self.text),
            _ => self.text,
        };
        Statement::from_sql_and_values(backend, text, self.values)
    }
}

fn numbered(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for ch in text.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        let mut sql = Sql::new("SELECT 1 WHERE a = 1");
        sql.bind(" AND b = ?", 2i64).bind_list([1i64, 2]);
        let statement = sql.build(DbBackend::Postgres);
        assert_eq!(statement.sql, "SELECT 1 WHERE a = 1 AND b = $1($2, $3)");
    }
}
