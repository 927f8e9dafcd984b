//! What authorised a request beyond its credential (a launched AU's session), kept
//! opaque: authentication and the LRS core need only whom it acts for, and the layer
//! that issued it downcasts it to its own type.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

/// A grant a layer above the LRS attaches to a principal.
pub trait Grant: Any + Debug + Send + Sync {
    /// The agent key (`xapi::statements::index::agent_key`) of the one learner this grant
    /// acts for: the only agent whose statements and documents it reaches.
    fn actor_key(&self) -> &str;
}

/// A principal's grant, shared between the requests that present the same token.
pub type SharedGrant = Arc<dyn Grant>;

/// The grant as its issuer's type, when it is one.
pub fn downcast<T: Grant>(grant: &dyn Grant) -> Option<&T> {
    (grant as &dyn Any).downcast_ref::<T>()
}
