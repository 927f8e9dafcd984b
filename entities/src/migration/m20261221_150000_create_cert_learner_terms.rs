use sea_orm_migration::{prelude::*, schema::*};

use super::m20261207_200100_create_cert_learners::CertLearners;
use crate::cert_learner_term::terms_of;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Learners read per step while the terms of the learners already known are written.
const FILL_CHUNK: u64 = 1_000;

/// The learner search's terms (`cert_learner_term`): `(term, learner_key)` is the key, so
/// a search word is one index range whatever the number of learners (a substring search
/// read every learner row); `learner_key` finds a learner's terms. Filled here from the
/// learners already known; the write path adds the terms of new learners.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertLearnerTerms::Table)
                    .col(string(CertLearnerTerms::Term))
                    .col(string(CertLearnerTerms::LearnerKey))
                    .primary_key(
                        Index::create()
                            .col(CertLearnerTerms::Term)
                            .col(CertLearnerTerms::LearnerKey),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cert_learner_terms_learner")
                    .table(CertLearnerTerms::Table)
                    .col(CertLearnerTerms::LearnerKey)
                    .to_owned(),
            )
            .await?;
        fill(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertLearnerTerms::Table).to_owned())
            .await
    }
}

/// Writes the terms of every learner already known, in key order, a chunk at a time.
async fn fill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let mut after: Option<String> = None;
    loop {
        let mut select = Query::select();
        select
            .columns([
                CertLearners::LearnerKey,
                CertLearners::Name,
                CertLearners::Email,
            ])
            .from(CertLearners::Table)
            .order_by(CertLearners::LearnerKey, Order::Asc)
            .limit(FILL_CHUNK);
        if let Some(after) = &after {
            select.and_where(Expr::col(CertLearners::LearnerKey).gt(after.clone()));
        }
        let rows = conn.query_all(&select).await?;
        let mut insert = Query::insert();
        insert
            .into_table(CertLearnerTerms::Table)
            .columns([CertLearnerTerms::Term, CertLearnerTerms::LearnerKey])
            .on_conflict(
                OnConflict::columns([CertLearnerTerms::Term, CertLearnerTerms::LearnerKey])
                    .do_nothing()
                    .to_owned(),
            );
        let mut any = false;
        for row in &rows {
            let key: String = row.try_get("", "learner_key")?;
            let name: Option<String> = row.try_get("", "name")?;
            let email: Option<String> = row.try_get("", "email")?;
            for term in terms_of(&key, name.as_deref(), email.as_deref()) {
                insert.values_panic([term.into(), key.clone().into()]);
                any = true;
            }
            after = Some(key);
        }
        if any {
            conn.execute(&insert).await?;
        }
        if (rows.len() as u64) < FILL_CHUNK {
            return Ok(());
        }
    }
}

#[derive(DeriveIden)]
pub(super) enum CertLearnerTerms {
    Table,
    Term,
    LearnerKey,
}
