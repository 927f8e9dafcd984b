use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A query naming an agent (or an activity) and a verb walked every statement of the
/// agent and probed each for the verb: at 10 million statements an activity carries
/// 2,000, and the page cost grew with them (issue 19). Statements now carry one index
/// row per (verb, agent) and (verb, activity) pair, so such a page reads only its own
/// rows. To keep the rows per statement level, the related-agent row that repeated the
/// actor (or object agent) and the related-activity row that repeated the object are
/// dropped: reads of a related key look under both kinds.
///
/// Kinds and the pair key's text are those of `xapi::statements::index` (`KeyKind`,
/// `pair_key`): `length(verb) || ':' || verb || '|' || other`, the length in characters.
/// The pairs are made from the rows a statement already has, which include the keys it
/// inherits through StatementRefs, so a chain pairs across its statements as it does
/// when written.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (pair, direct) in [(7, 1), (8, 3)] {
            db.execute_unprepared(&format!(
                "INSERT INTO statement_index (kind, key, stored_us, seq) \
                 SELECT {pair}, CAST(length(v.key) AS TEXT) || ':' || v.key || '|' || a.key, \
                 a.stored_us, a.seq FROM statement_index a JOIN statement_index v \
                 ON v.kind = 5 AND v.seq = a.seq AND v.stored_us = a.stored_us \
                 WHERE a.kind = {direct} ON CONFLICT DO NOTHING"
            ))
            .await?;
        }
        for (related, direct) in [(2, 1), (4, 3)] {
            db.execute_unprepared(&format!(
                "DELETE FROM statement_index WHERE kind = {related} AND EXISTS \
                 (SELECT 1 FROM statement_index a WHERE a.kind = {direct} \
                 AND a.key = statement_index.key AND a.stored_us = statement_index.stored_us \
                 AND a.seq = statement_index.seq)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (related, direct) in [(2, 1), (4, 3)] {
            db.execute_unprepared(&format!(
                "INSERT INTO statement_index (kind, key, stored_us, seq) \
                 SELECT {related}, key, stored_us, seq FROM statement_index \
                 WHERE kind = {direct} ON CONFLICT DO NOTHING"
            ))
            .await?;
        }
        db.execute_unprepared("DELETE FROM statement_index WHERE kind IN (7, 8)")
            .await?;
        Ok(())
    }
}
