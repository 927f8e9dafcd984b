//! `Content-Security-Policy: frame-ancestors` on the pages LMSs embed (modules under
//! `/content/`, LTI pages under `/lti/`): only this server, the registered platforms'
//! origins, the LTI 1.1 consumers' origins and the configured extra origins may frame
//! them, so another site cannot
//! show a learner's module inside its own page (clickjacking).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use sea_orm::EntityTrait;

use super::consumers;
use crate::db::Db;
use entities::lti_platform;

/// How long the computed policy is reused before the registrations are read again.
const REFRESH: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct FrameAncestors {
    pub db: Db,
    pub extra: Vec<String>,
    cache: Arc<RwLock<Option<(Instant, String)>>>,
}

impl FrameAncestors {
    pub fn new(db: Db, extra: Vec<String>) -> FrameAncestors {
        FrameAncestors {
            db,
            extra,
            cache: Arc::default(),
        }
    }

    async fn policy(&self) -> String {
        if let Ok(cache) = self.cache.read()
            && let Some((at, policy)) = cache.as_ref()
            && at.elapsed() < REFRESH
        {
            return policy.clone();
        }
        let platforms = lti_platform::Entity::find()
            .all(&self.db.conn)
            .await
            .unwrap_or_default();
        let consumers = consumers::origins(&self.db.conn).await.unwrap_or_default();
        let urls = platforms
            .iter()
            .flat_map(|p| [p.issuer.as_str(), p.auth_login_url.as_str()])
            .chain(consumers.iter().map(String::as_str))
            .chain(self.extra.iter().map(String::as_str));
        let policy = policy_for(urls);
        if let Ok(mut cache) = self.cache.write() {
            *cache = Some((Instant::now(), policy.clone()));
        }
        policy
    }
}

/// `frame-ancestors 'self' <origins>`, each origin once.
pub fn policy_for<'a>(urls: impl Iterator<Item = &'a str>) -> String {
    let mut origins: Vec<String> = urls
        .filter_map(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.origin().ascii_serialization())
        .collect();
    origins.sort();
    origins.dedup();
    let mut policy = "frame-ancestors 'self'".to_owned();
    for origin in origins {
        policy.push(' ');
        policy.push_str(&origin);
    }
    policy
}

impl<E: Endpoint> Middleware<E> for FrameAncestors {
    type Output = FrameAncestorsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        FrameAncestorsEndpoint {
            inner,
            config: self.clone(),
        }
    }
}

pub struct FrameAncestorsEndpoint<E> {
    inner: E,
    config: FrameAncestors,
}

impl<E: Endpoint> Endpoint for FrameAncestorsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let embedded = {
            let path = req.uri().path();
            path.starts_with("/content/") || path.starts_with("/lti/")
        };
        let mut response = self.inner.call(req).await?.into_response();
        if embedded && let Ok(value) = self.config.policy().await.parse() {
            response
                .headers_mut()
                .insert("Content-Security-Policy", value);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_deduplicated_and_ports_kept() {
        let policy = policy_for(
            [
                "https://moodle.example.com",
                "https://moodle.example.com/mod/lti/auth.php",
                "http://127.0.0.1:8080/auth",
                "not a url",
            ]
            .into_iter(),
        );
        assert_eq!(
            policy,
            "frame-ancestors 'self' http://127.0.0.1:8080 https://moodle.example.com"
        );
    }
}
