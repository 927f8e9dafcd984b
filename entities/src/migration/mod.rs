use sea_orm_migration::prelude::*;

mod m20261122_000001_create_credentials;
mod m20261122_000002_create_statements;
mod m20261122_000003_create_statement_index;

/// Every migration, oldest first. Never edit one that has shipped: add a new file.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_credentials::Migration),
            Box::new(m20261122_000002_create_statements::Migration),
            Box::new(m20261122_000003_create_statement_index::Migration),
        ]
    }
}
