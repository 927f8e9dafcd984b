//! The four operations of a document resource (State, Activity Profile, Agent
//! Profile), declared once. Each resource differs only in its path, its operation
//! names and docs, and its query parameters, which are declared one by one so the
//! OpenAPI document lists them (the handlers parse the raw query string themselves, to
//! refuse unknown and repeated parameters).

/// `document_api! { Api, KIND, "/path", [get, put, post, delete] operation ids and
/// docs, { param_ident: "name" => "doc", … } }`
macro_rules! document_api {
    (
        $api:ident, $kind:expr, $path:tt,
        get: ($get_id:tt, $get_doc:tt),
        put: ($put_id:tt, $put_doc:tt),
        post: ($post_id:tt, $post_doc:tt),
        delete: ($delete_id:tt, $delete_doc:tt),
        params: { $( $param:ident : $name:tt => $param_doc:tt ),* $(,)? }
    ) => {
        #[poem_openapi::OpenApi(prefix_path = "/xapi", tag = "crate::openapi::ApiTags::Documents")]
        impl $api {
            #[doc = $get_doc]
            #[oai(path = $path, method = "get", operation_id = $get_id)]
            async fn get(
                &self,
                auth: crate::auth::BasicAuth,
                req: &poem::Request,
                $( #[doc = $param_doc] #[oai(name = $name)] $param: poem_openapi::param::Query<Option<String>>, )*
            ) -> crate::error::ApiResult<super::response::DocumentResponse> {
                Ok(super::handlers::get(&self.db, &self.participants, &auth, $kind, req).await?)
            }

            #[doc = $put_doc]
            #[oai(path = $path, method = "put", operation_id = $put_id)]
            async fn put(
                &self,
                auth: crate::auth::BasicAuth,
                req: &poem::Request,
                version: poem::web::Data<&crate::xapi::version::XapiVersion>,
                $( #[doc = $param_doc] #[oai(name = $name)] $param: poem_openapi::param::Query<Option<String>>, )*
                body: super::body::DocumentBody,
            ) -> crate::error::ApiResult<super::response::DocumentResponse> {
                let mode = super::service::WriteMode::Replace;
                Ok(super::handlers::write(&self.db, &self.participants, &auth, $kind, req, *version.0, body, mode).await?)
            }

            #[doc = $post_doc]
            #[oai(path = $path, method = "post", operation_id = $post_id)]
            async fn post(
                &self,
                auth: crate::auth::BasicAuth,
                req: &poem::Request,
                version: poem::web::Data<&crate::xapi::version::XapiVersion>,
                $( #[doc = $param_doc] #[oai(name = $name)] $param: poem_openapi::param::Query<Option<String>>, )*
                body: super::body::DocumentBody,
            ) -> crate::error::ApiResult<super::response::DocumentResponse> {
                let mode = super::service::WriteMode::Merge;
                Ok(super::handlers::write(&self.db, &self.participants, &auth, $kind, req, *version.0, body, mode).await?)
            }

            #[doc = $delete_doc]
            #[oai(path = $path, method = "delete", operation_id = $delete_id)]
            async fn delete(
                &self,
                auth: crate::auth::BasicAuth,
                req: &poem::Request,
                $( #[doc = $param_doc] #[oai(name = $name)] $param: poem_openapi::param::Query<Option<String>>, )*
            ) -> crate::error::ApiResult<super::response::DocumentResponse> {
                Ok(super::handlers::delete(&self.db, &self.participants, &auth, $kind, req).await?)
            }
        }
    };
}

pub(super) use document_api;
