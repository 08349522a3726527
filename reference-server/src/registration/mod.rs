//! Dynamic client registration: turning validated metadata into a registered client
//! (RFC 7591 §3.2.1: server-chosen `client_id`, a secret for confidential methods, the
//! RFC 7592 §3 registration access token) and writing the client information response
//! that the registration, read and update endpoints share.

pub mod metadata;

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use crate::client_registry::Registration;
use crate::fixtures::ClientFixture;
use crate::state::AppState;
use crate::store::{new_opaque_token, unix_seconds};
use metadata::Metadata;

/// The secret every client gets under the `registration-shared-secret` fault.
const SHARED_SECRET: &str = "registration-shared-secret-0000";

/// Whether `method` authenticates with a client secret (RFC 7591 §2: the secret-based
/// methods; `none` and `private_key_jwt` get no secret).
fn uses_secret(method: &str) -> bool {
    matches!(
        method,
        "client_secret_basic" | "client_secret_post" | "client_secret_jwt"
    )
}

/// A fresh client secret: 256 random bits.
pub fn new_secret(state: &AppState) -> String {
    if state.policy.registration.unique_secrets {
        new_opaque_token()
    } else {
        SHARED_SECRET.to_string()
    }
}

/// A fresh registration access token. RFC 7592 §5: it must resist guessing, so 256 random
/// bits; a counter under the `registration-weak-rat` fault.
pub fn new_access_token(state: &AppState) -> String {
    if state.policy.registration.random_tokens {
        new_opaque_token()
    } else {
        format!("rat-{}", state.clients.next_serial())
    }
}

/// The client the other endpoints see for `metadata`.
pub fn client_fixture(
    state: &AppState,
    client_id: &str,
    secret: Option<String>,
    metadata: &Metadata,
) -> ClientFixture {
    let mut auth_method = metadata.auth_method.clone();
    // The `registration-none-needs-secret` fault: a public client is stored as a Basic
    // client without a secret, so it can never authenticate.
    if auth_method == "none" && !state.policy.registration.none_is_public {
        auth_method = "client_secret_basic".into();
    }
    ClientFixture {
        role: "dyn".into(),
        client_id: client_id.to_string(),
        client_secret: secret,
        auth_method,
        jwks: metadata.jwks.clone(),
        key_file: None,
        key_alg: None,
        grant_types: metadata.grant_types.clone(),
        scope: metadata.scope.clone(),
        redirect_uris: metadata.redirect_uris.clone(),
        may_introspect: false,
        access_token_ttl: None,
        backchannel_token_delivery_mode: None,
        backchannel_client_notification_endpoint: None,
        backchannel_user_code_parameter: false,
        require_pushed_authorization_requests: false,
        macaroon_tokens: false,
    }
}

/// A new registration for validated `metadata`; `requested_id` is the request's
/// `client_id`, honoured only under the `registration-client-chosen-id` fault (RFC 7591
/// §3.2.1 and RFC 9700 §4.15: the server chooses identifiers).
pub fn register(state: &AppState, metadata: Metadata, requested_id: Option<&str>) -> Registration {
    let client_id = match requested_id {
        Some(id)
            if !state.policy.registration.server_chosen_id
                && !id.is_empty()
                && !state.clients.contains(id) =>
        {
            id.to_string()
        }
        _ => format!("dyn-{}", new_opaque_token()),
    };
    let secret = uses_secret(&metadata.auth_method).then(|| new_secret(state));
    let client = client_fixture(state, &client_id, secret, &metadata);
    Registration {
        client: Arc::new(client),
        metadata: metadata.echoed,
        defaulted: metadata.defaulted,
        issued_at: unix_seconds(SystemTime::now()),
        access_token: new_access_token(state),
    }
}

/// The client configuration endpoint of `client_id` (RFC 7592 §3: "fully qualified URL").
pub fn client_uri(state: &AppState, client_id: &str) -> String {
    let path = format!("{}/{client_id}", state.paths.registration);
    if state.policy.registration.absolute_client_uri {
        state.url(&path)
    } else {
        path
    }
}

/// The client information response (RFC 7591 §3.2.1, RFC 7592 §3): `client_id`, the
/// credentials when `credentials` is set, the registered metadata and the management
/// fields.
pub fn information(state: &AppState, registration: &Registration, credentials: bool) -> Value {
    let policy = &state.policy.registration;
    let client = &registration.client;
    let mut body = Map::new();
    body.insert("client_id".into(), json!(client.client_id));
    body.insert("client_id_issued_at".into(), json!(registration.issued_at));
    if let Some(secret) = client.client_secret.as_ref().filter(|_| credentials) {
        body.insert("client_secret".into(), json!(secret));
        // §3.2.1: "REQUIRED if "client_secret" is issued"; 0: it does not expire.
        if policy.secret_expiry_sent {
            body.insert("client_secret_expires_at".into(), json!(0));
        }
    }
    // §3.2.1: "the authorization server MUST return all registered metadata about this
    // client, including any fields provisioned by the authorization server itself."
    if policy.metadata_echoed {
        for (name, value) in &registration.metadata {
            if !policy.defaults_echoed && registration.defaulted.iter().any(|d| d == name) {
                continue;
            }
            body.insert(name.clone(), value.clone());
        }
    }
    if credentials {
        body.insert(
            "registration_access_token".into(),
            json!(registration.access_token),
        );
    }
    body.insert(
        "registration_client_uri".into(),
        json!(client_uri(state, &client.client_id)),
    );
    Value::Object(body)
}
