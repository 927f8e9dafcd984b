use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Packages::Table)
                    .col(big_pk_auto(Packages::Seq))
                    .col(string(Packages::CourseKey))
                    .col(text(Packages::CourseId))
                    .col(integer(Packages::Version))
                    .col(string_uniq(Packages::ContentHash))
                    .col(string_uniq(Packages::Slug))
                    .col(string(Packages::Format))
                    .col(text(Packages::Title))
                    .col(json_binary(Packages::Structure))
                    .col(integer(Packages::FileCount))
                    .col(big_integer(Packages::TotalBytes))
                    .col(big_integer(Packages::ImportedUs))
                    .to_owned(),
            )
            .await?;
        // Versions of one course, newest last; also keeps two imports racing from
        // giving the same version number twice.
        manager
            .create_index(
                Index::create()
                    .name("ux_packages_course_version")
                    .table(Packages::Table)
                    .col(Packages::CourseKey)
                    .col(Packages::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PackageFiles::Table)
                    .col(big_integer(PackageFiles::PackageSeq))
                    .col(string_len(PackageFiles::Path, 1024))
                    .col(string(PackageFiles::Sha256))
                    .col(string(PackageFiles::ContentType))
                    .col(big_integer(PackageFiles::Length))
                    .primary_key(
                        Index::create()
                            .col(PackageFiles::PackageSeq)
                            .col(PackageFiles::Path),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PackageFiles::Table, PackageFiles::PackageSeq)
                            .to(Packages::Table, Packages::Seq)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Blobs::Table)
                    .col(string(Blobs::Sha256).primary_key())
                    .col(blob(Blobs::Content))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PackageFiles::Table.into_iden(),
            Packages::Table.into_iden(),
            Blobs::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Packages {
    Table,
    Seq,
    CourseKey,
    CourseId,
    Version,
    ContentHash,
    Slug,
    Format,
    Title,
    Structure,
    FileCount,
    TotalBytes,
    ImportedUs,
}

#[derive(DeriveIden)]
enum PackageFiles {
    Table,
    PackageSeq,
    Path,
    Sha256,
    ContentType,
    Length,
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
    Content,
}
