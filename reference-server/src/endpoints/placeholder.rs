//! The authorization and userinfo endpoints: routed and advertised already, implemented in a
//! later issue. Until then they answer 501 so that a suite sees "not implemented", not 404.

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
