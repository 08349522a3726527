//! A 501 "not implemented" page. The authorization and userinfo endpoints used it before they
//! were implemented; it is no longer routed and is kept for endpoints still to come.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// 501 with a short HTML page.
pub async fn not_implemented() -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        Html(
            "<!doctype html>\n<html><head><title>Not implemented</title></head>\
             <body><h1>Not implemented yet</h1>\
             <p>This endpoint of the oauth2spec reference server is not implemented yet.</p>\
             </body></html>\n",
        ),
    )
        .into_response()
}
