//! The console's company variables (`company_settings`) and the values in force.

use std::collections::BTreeMap;

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use super::company::merged;
use crate::error::Error;
use entities::company_setting;

/// The variables set in the console, by name.
pub async fn overrides(conn: &impl ConnectionTrait) -> Result<BTreeMap<String, String>, Error> {
    Ok(company_setting::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| (row.name, row.value))
        .collect())
}

/// The values in force: `configured` (already checked at start-up), each replaced by
/// the console's when set.
pub async fn in_force(
    conn: &impl ConnectionTrait,
    configured: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Error> {
    Ok(merged(configured, &overrides(conn).await?))
}

/// Sets (`Some`, already checked) or clears (`None`: the configuration's value applies
/// again) one variable.
pub async fn set(
    conn: &impl ConnectionTrait,
    name: &str,
    value: Option<&str>,
    by: &str,
    now_us: i64,
) -> Result<(), Error> {
    company_setting::Entity::delete_by_id(name.to_owned())
        .exec(conn)
        .await?;
    if let Some(value) = value {
        company_setting::ActiveModel {
            name: Set(name.to_owned()),
            value: Set(value.to_owned()),
            updated_us: Set(now_us),
            updated_by: Set(by.to_owned()),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}
