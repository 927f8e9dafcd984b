//! `GET /xapi/activities` and `GET /xapi/agents`.
//! Spec: xAPI-Communication 2.4 (Agents Resource), 2.5 (Activities Resource).

use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::canonical;
use super::person::person;
use crate::auth::BasicAuth;
use crate::db::Db;
use crate::error::{ApiResult, Error};
use crate::openapi::ApiTags;
use crate::sql::Sql;
use crate::xapi::documents::agent_param;
use crate::xapi::statements::index::KeyKind;
use crate::xapi::validate::is_absolute_iri;

pub struct DefinitionsApi {
    pub db: Db,
}

#[derive(ApiResponse)]
pub enum ObjectResponse {
    #[oai(status = 200)]
    Found(Json<Value>),
}

/// How many recent statements by an agent are read for the names it used.
const NAME_SAMPLE: u64 = 20;

#[OpenApi(prefix_path = "/xapi", tag = "ApiTags::Definitions")]
impl DefinitionsApi {
    /// The Activity object with the canonical definition merged from every statement
    /// that defined it (just the id when none did).
    #[oai(path = "/activities", method = "get", operation_id = "getActivity")]
    async fn activity(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Activity IRI.
        #[oai(name = "activityId")]
        _activity_id: Query<Option<String>>,
    ) -> ApiResult<ObjectResponse> {
        auth.require_definitions_read()?;
        let id = only_param(req, "activityId")?;
        if !is_absolute_iri(&id) {
            return Err(Error::BadRequest(format!(
                "parameter `activityId` must be an absolute IRI, got {id:?}"
            ))
            .into());
        }
        let mut activity = json!({"objectType": "Activity", "id": id});
        if let Some(definition) = canonical::find(&self.db.conn, &id)
            .await
            .map_err(Error::from)?
        {
            activity["definition"] = definition;
        }
        Ok(ObjectResponse::Found(Json(activity)))
    }

    /// The Person object for an Agent: its identifier and the names statements used.
    #[oai(path = "/agents", method = "get", operation_id = "getAgent")]
    async fn agent(
        &self,
        auth: BasicAuth,
        req: &Request,
        /// The Agent (JSON).
        #[oai(name = "agent")]
        _agent: Query<Option<String>>,
    ) -> ApiResult<ObjectResponse> {
        auth.require_definitions_read()?;
        let text = only_param(req, "agent")?;
        let key = agent_param(Some(&text))?;
        let agent: Value =
            serde_json::from_str(&text).map_err(|e| Error::Internal(e.to_string()))?;
        let names = names_of(&self.db.conn, &key).await.map_err(Error::from)?;
        Ok(ObjectResponse::Found(Json(person(&agent, &names))))
    }
}

/// The value of the one parameter these resources take; anything else is refused.
fn only_param(req: &Request, name: &str) -> Result<String, Error> {
    let mut value = None;
    for (key, v) in crate::xapi::query::pairs(req.uri().query()) {
        if key != name {
            return Err(Error::BadRequest(format!(
                "unknown parameter `{key}`; this resource takes only `{name}`"
            )));
        }
        if value.replace(v.into_owned()).is_some() {
            return Err(Error::BadRequest(format!(
                "parameter `{name}` is given more than once"
            )));
        }
    }
    value.ok_or_else(|| Error::BadRequest(format!("parameter `{name}` is required")))
}

/// Names the agent used as actor in its most recent statements, newest first.
async fn names_of(
    conn: &impl ConnectionTrait,
    agent_key: &str,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut sql = Sql::new(
        "SELECT s.payload FROM statement_index i JOIN statements s ON s.seq = i.seq WHERE ",
    );
    sql.bind("i.kind = ?", KeyKind::Agent.code())
        .bind(" AND i.key = ?", agent_key.to_owned())
        .bind(
            " ORDER BY i.stored_us DESC, i.seq DESC LIMIT ?",
            NAME_SAMPLE as i64,
        );
    let mut names = Vec::new();
    for row in conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?
    {
        let payload: Value = row.try_get("", "payload")?;
        if let Some(name) = payload.pointer("/actor/name").and_then(Value::as_str)
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}
