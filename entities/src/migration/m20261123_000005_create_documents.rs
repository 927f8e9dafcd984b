use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(big_pk_auto(Documents::Seq))
                    .col(small_integer(Documents::Kind))
                    .col(string(Documents::ActivityKey))
                    .col(string(Documents::AgentKey))
                    .col(string(Documents::Registration))
                    .col(string(Documents::DocKey))
                    .col(text(Documents::DocId))
                    .col(string(Documents::ContentType))
                    .col(blob(Documents::Content))
                    .col(string(Documents::Etag))
                    .col(big_integer(Documents::UpdatedUs))
                    .to_owned(),
            )
            .await?;
        // Every lookup (one document, the ids of a scope, deleting a scope) is a prefix of
        // this key, so one unique B-tree serves them all; reporting tools poll State
        // documents hard and must never hit a table scan.
        manager
            .create_index(
                Index::create()
                    .name("ux_documents_key")
                    .table(Documents::Table)
                    .col(Documents::Kind)
                    .col(Documents::ActivityKey)
                    .col(Documents::AgentKey)
                    .col(Documents::Registration)
                    .col(Documents::DocKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Seq,
    Kind,
    ActivityKey,
    AgentKey,
    Registration,
    DocKey,
    DocId,
    ContentType,
    Content,
    Etag,
    UpdatedUs,
}
