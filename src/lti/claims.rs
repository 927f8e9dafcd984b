//! The LTI claims of a verified id_token, read once into [`LaunchClaims`] so the launch
//! handler works with checked fields instead of JSON paths.
//!
//! LTI Core 1.3 §5.1.2 (required message claims), §5.3 (resource link launch),
//! §A.2 (role vocabularies); Deep Linking 2.0 §4.4 (deep_linking_settings).
//! Absent optional claims become `None`; a claim that is present with the wrong shape
//! is an error, because it means the platform sends something other than it thinks.

use serde_json::{Map, Value};

use super::id_token::LtiError;

macro_rules! lti_claim {
    ($name:literal) => {
        concat!("https://purl.imsglobal.org/spec/lti/claim/", $name)
    };
}

pub const MESSAGE_TYPE: &str = lti_claim!("message_type");
pub const VERSION: &str = lti_claim!("version");
pub const DEPLOYMENT_ID: &str = lti_claim!("deployment_id");
pub const TARGET_LINK_URI: &str = lti_claim!("target_link_uri");
pub const RESOURCE_LINK: &str = lti_claim!("resource_link");
const RESOURCE_LINK_ID: &str = lti_claim!("resource_link.id");
pub const ROLES: &str = lti_claim!("roles");
pub const CONTEXT: &str = lti_claim!("context");
const CONTEXT_ID: &str = lti_claim!("context.id");
pub const CUSTOM: &str = lti_claim!("custom");
pub const LAUNCH_PRESENTATION: &str = lti_claim!("launch_presentation");
pub const AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
pub const DEEP_LINKING_SETTINGS: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
const DL_RETURN_URL: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings.deep_link_return_url";
const DL_ACCEPT_TYPES: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings.accept_types";

/// The only LTI version this tool speaks (LTI Core 1.3 §5.3.2).
pub const LTI_VERSION: &str = "1.3.0";

/// The two messages this tool accepts; anything else is refused by name so the
/// administrator sees which placement is misconfigured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    ResourceLink,
    DeepLinking,
}

impl MessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::ResourceLink => "LtiResourceLinkRequest",
            MessageType::DeepLinking => "LtiDeepLinkingRequest",
        }
    }

    fn parse(value: &str) -> Result<Self, LtiError> {
        match value {
            "LtiResourceLinkRequest" => Ok(MessageType::ResourceLink),
            "LtiDeepLinkingRequest" => Ok(MessageType::DeepLinking),
            other => Err(LtiError::WrongMessageType(other.to_owned())),
        }
    }
}

/// What a role means to this tool. Rights follow context (course) roles; an
/// institution role such as "faculty" says nothing about this course, so only the
/// harmless ones (student → Learner) and administrators are honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Learner,
    Instructor,
    Administrator,
    /// Manages the course's learners (LIS `Manager` context role, e.g. a line manager
    /// the LMS enrols to follow a team): may open the read-only console of the course.
    Manager,
    /// Any role the tool gives no rights to (Mentor, Guest, unknown vocabularies…).
    Other,
}

const LIS_V2: &str = "http://purl.imsglobal.org/vocab/lis/v2/";

impl Role {
    /// Maps one role as platforms send it: an LIS v2 URI (LTI 1.3), an LTI 1.1 URN, or
    /// a bare short name, which LTI Core 1.3 §A.2.3 lets platforms use for context
    /// roles. A sub-role (`membership/Instructor#TeachingAssistant`) counts as its
    /// principal role.
    pub fn from_uri(role: &str) -> Role {
        let role = role.trim();
        if let Some(rest) = role.strip_prefix(LIS_V2) {
            return match rest.split_once('#') {
                Some(("membership", name)) => context_role(name),
                Some(("institution/person", name)) => institution_role(name),
                Some(("system/person", name)) => system_role(name),
                Some((scope, _)) => scope
                    .strip_prefix("membership/")
                    .map_or(Role::Other, context_role),
                None => Role::Other,
            };
        }
        if let Some(rest) = role.strip_prefix("urn:lti:role:ims/lis/") {
            return context_role(rest.split('/').next().unwrap_or(rest));
        }
        if let Some(rest) = role.strip_prefix("urn:lti:instrole:ims/lis/") {
            return institution_role(rest);
        }
        if let Some(rest) = role.strip_prefix("urn:lti:sysrole:ims/lis/") {
            return system_role(rest);
        }
        context_role(role)
    }
}

/// ContentDeveloper builds the course in the LMS and TeachingAssistant (LTI 1.1 short
/// name) helps teach it, so both get the instructor view; Manager follows the course's
/// learners (read-only); Mentor and the rest observe and get no staff rights.
fn context_role(name: &str) -> Role {
    match name {
        "Learner" | "Student" => Role::Learner,
        "Instructor" | "ContentDeveloper" | "TeachingAssistant" => Role::Instructor,
        "Administrator" => Role::Administrator,
        "Manager" => Role::Manager,
        _ => Role::Other,
    }
}

fn institution_role(name: &str) -> Role {
    match name {
        "Administrator" => Role::Administrator,
        "Student" | "Learner" => Role::Learner,
        _ => Role::Other,
    }
}

fn system_role(name: &str) -> Role {
    match name {
        "Administrator" | "SysAdmin" => Role::Administrator,
        _ => Role::Other,
    }
}

/// Deep Linking 2.0 §4.4.1: where and what the tool may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeepLinkingSettings {
    pub return_url: String,
    pub accept_types: Vec<String>,
    pub accept_presentation_document_targets: Vec<String>,
    /// Absent means one item only: the safe reading for the platform.
    pub accept_multiple: bool,
    /// Opaque; echoed back exactly. The spec types it as a string, but some platforms
    /// send a JSON object, which costs nothing to return unchanged.
    pub data: Option<Value>,
}

/// A launch as the rest of the tool sees it, after [`super::id_token::verify`].
#[derive(Debug, Clone)]
pub struct LaunchClaims {
    pub issuer: String,
    pub subject: String,
    pub audience_client_id: String,
    pub deployment_id: String,
    pub message_type: MessageType,
    pub target_link_uri: Option<String>,
    /// Always set for [`MessageType::ResourceLink`].
    pub resource_link_id: Option<String>,
    pub resource_link_title: Option<String>,
    /// Mapped roles, without duplicates, in the order first seen.
    pub roles: Vec<Role>,
    /// The roles exactly as sent, for xAPI context and support questions.
    pub raw_roles: Vec<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub context_id: Option<String>,
    pub context_title: Option<String>,
    pub custom: Map<String, Value>,
    pub return_url: Option<String>,
    /// Assignment and Grade Services endpoint claim, as sent.
    pub ags: Option<Value>,
    /// Names and Role Provisioning Services claim, as sent.
    pub nrps: Option<Value>,
    /// Always set for [`MessageType::DeepLinking`].
    pub deep_linking: Option<DeepLinkingSettings>,
    /// Present, not yet checked for single use: the caller does that with the database.
    pub nonce: String,
}

impl LaunchClaims {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Reads the LTI claims of an id_token payload whose signature, issuer, audience and
/// times were already checked. Errors name the claim at fault.
pub fn read_claims(claims: &Value) -> Result<LaunchClaims, LtiError> {
    let c = claims
        .as_object()
        .ok_or_else(|| LtiError::NotAJwt("its payload is not a JSON object".into()))?;
    let message_type = MessageType::parse(&req_str(c.get(MESSAGE_TYPE), MESSAGE_TYPE)?)?;
    let version = req_str(c.get(VERSION), VERSION)?;
    if version != LTI_VERSION {
        return Err(LtiError::WrongVersion(version));
    }
    let deployment_id = req_str(c.get(DEPLOYMENT_ID), DEPLOYMENT_ID)?;
    let subject = req_str(c.get("sub"), "sub")?;
    let raw_roles = string_list(c.get(ROLES), ROLES)?.ok_or(LtiError::MissingClaim(ROLES))?;
    let mut roles = Vec::new();
    for role in raw_roles.iter().map(|r| Role::from_uri(r)) {
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    let link = opt_obj(c.get(RESOURCE_LINK), RESOURCE_LINK)?;
    let resource_link_id = link
        .map(|l| opt_str(l.get("id"), RESOURCE_LINK_ID))
        .transpose()?
        .flatten();
    if message_type == MessageType::ResourceLink && resource_link_id.is_none() {
        return Err(LtiError::MissingClaim(if link.is_some() {
            RESOURCE_LINK_ID
        } else {
            RESOURCE_LINK
        }));
    }
    let context = opt_obj(c.get(CONTEXT), CONTEXT)?;
    let context_id = match context {
        Some(ctx) => Some(req_str(ctx.get("id"), CONTEXT_ID)?),
        None => None,
    };
    let deep_linking = match message_type {
        MessageType::DeepLinking => Some(deep_linking_settings(c.get(DEEP_LINKING_SETTINGS))?),
        MessageType::ResourceLink => None,
    };
    Ok(LaunchClaims {
        issuer: req_str(c.get("iss"), "iss")?,
        subject,
        audience_client_id: audience_client_id(c)?,
        deployment_id,
        message_type,
        target_link_uri: opt_str(c.get(TARGET_LINK_URI), TARGET_LINK_URI)?,
        resource_link_id,
        resource_link_title: link
            .map(|l| opt_str(l.get("title"), RESOURCE_LINK))
            .transpose()?
            .flatten(),
        roles,
        raw_roles,
        name: opt_str(c.get("name"), "name")?,
        given_name: opt_str(c.get("given_name"), "given_name")?,
        family_name: opt_str(c.get("family_name"), "family_name")?,
        email: opt_str(c.get("email"), "email")?,
        context_id,
        context_title: context
            .map(|x| opt_str(x.get("title"), CONTEXT))
            .transpose()?
            .flatten(),
        custom: opt_obj(c.get(CUSTOM), CUSTOM)?.cloned().unwrap_or_default(),
        return_url: opt_obj(c.get(LAUNCH_PRESENTATION), LAUNCH_PRESENTATION)?
            .map(|p| opt_str(p.get("return_url"), LAUNCH_PRESENTATION))
            .transpose()?
            .flatten(),
        ags: opt_obj(c.get(AGS_ENDPOINT), AGS_ENDPOINT)?
            .cloned()
            .map(Value::Object),
        nrps: opt_obj(c.get(NRPS), NRPS)?.cloned().map(Value::Object),
        deep_linking,
        nonce: req_str(c.get("nonce"), "nonce")?,
    })
}

/// After verification `azp`, when present, is our client id, and so is a lone `aud`.
fn audience_client_id(c: &Map<String, Value>) -> Result<String, LtiError> {
    if let Some(azp) = opt_str(c.get("azp"), "azp")? {
        return Ok(azp);
    }
    match c.get("aud") {
        Some(Value::Array(_)) => string_list(c.get("aud"), "aud")?
            .and_then(|a| a.into_iter().next())
            .ok_or(LtiError::MissingClaim("aud")),
        aud => req_str(aud, "aud"),
    }
}

fn deep_linking_settings(value: Option<&Value>) -> Result<DeepLinkingSettings, LtiError> {
    const NAME: &str = DEEP_LINKING_SETTINGS;
    let s = opt_obj(value, NAME)?.ok_or(LtiError::MissingClaim(NAME))?;
    let accept_multiple = match s.get("accept_multiple") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid(NAME, "accept_multiple must be true or false")),
    };
    Ok(DeepLinkingSettings {
        return_url: req_str(s.get("deep_link_return_url"), DL_RETURN_URL)?,
        accept_types: string_list(s.get("accept_types"), DL_ACCEPT_TYPES)?
            .ok_or(LtiError::MissingClaim(DL_ACCEPT_TYPES))?,
        accept_presentation_document_targets: string_list(
            s.get("accept_presentation_document_targets"),
            NAME,
        )?
        .unwrap_or_default(),
        accept_multiple,
        data: s.get("data").filter(|d| !d.is_null()).cloned(),
    })
}

fn invalid(claim: &'static str, reason: &'static str) -> LtiError {
    LtiError::InvalidClaim { claim, reason }
}

/// Null and blank strings count as absent: platforms send `""` for withheld PII.
fn opt_str(value: Option<&Value>, claim: &'static str) -> Result<Option<String>, LtiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(claim, "must be a string")),
    }
}

fn req_str(value: Option<&Value>, claim: &'static str) -> Result<String, LtiError> {
    opt_str(value, claim)?.ok_or(LtiError::MissingClaim(claim))
}

fn opt_obj<'a>(
    value: Option<&'a Value>,
    claim: &'static str,
) -> Result<Option<&'a Map<String, Value>>, LtiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(invalid(claim, "must be a JSON object")),
    }
}

fn string_list(
    value: Option<&Value>,
    claim: &'static str,
) -> Result<Option<Vec<String>>, LtiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| invalid(claim, "must be an array of strings")),
        Some(_) => Err(invalid(claim, "must be an array of strings")),
    }
}

#[cfg(test)]
mod tests;
