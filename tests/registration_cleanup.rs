//! No client left behind: the RFC 7591 and RFC 7592 suites register throwaway clients and
//! delete them in `[[case.cleanup]]`, which runs whatever the verdict. Run against a
//! reference server whose faults make some of those cases fail (the server then accepts
//! registrations it should refuse, and answers updates wrongly), the registry must still
//! hold only the fixture clients afterwards.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use oauth2spec::app;
use oauth2spec::execute::RunOptions;
use oauth2spec::outcome::Status;
use oauth2spec::plan::Filter;
use oauth2spec::suite;
use reference_server::{Fault, ServerConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_registration_cases_still_delete_their_clients() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("suites");
    let catalog = suite::load_dir(&root).expect("suites load");
    let config = ServerConfig {
        faults: BTreeSet::from([
            // Registrations that must be refused are accepted: the negative cases fail with a
            // client registered, which only their cleanup removes.
            Fault::RegistrationRedirectSyntaxUnchecked,
            Fault::RegistrationHttpRedirectAccepted,
            Fault::RegistrationJwksBothKept,
            // Updates go wrong and a response lacks a required member: cases fail mid-way.
            Fault::RegistrationUpdateAugments,
            Fault::RegistrationSecretNoExpiry,
        ]),
        ..ServerConfig::default()
    };
    let reference = app::start_reference(config)
        .await
        .expect("reference server");
    let resolved = app::resolve(reference.target)
        .await
        .expect("the target resolves");
    let filter = Filter::new(&["rfc7591/*".into(), "rfc7592/*".into()], &[]).expect("globs");
    let options = RunOptions {
        listener: Some(Arc::clone(&reference.listener)),
        ..RunOptions::default()
    };
    let record = app::run_resolved(&catalog, &resolved, &filter, &options, &|_| {}).await;

    let failed: Vec<&str> = record
        .cases
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id.as_str())
        .collect();
    assert!(
        failed.len() >= 5,
        "the faults should make several cases fail, failed: {failed:?}"
    );
    assert!(
        record.cases.iter().all(|c| c.status != Status::Error),
        "no case may end in error: {:?}",
        record
            .cases
            .iter()
            .filter(|c| c.status == Status::Error)
            .map(|c| (&c.id, &c.message))
            .collect::<Vec<_>>()
    );
    assert!(record.cases.len() >= 25, "{} cases ran", record.cases.len());
    // A refused registration leaves its cleanup's optional `{{?reg_uri}}` unset: the cleanup
    // step is left out without a note (nothing was registered).
    let refused = record
        .cases
        .iter()
        .find(|c| c.id == "rfc7591/validation/javascript-redirect-is-refused")
        .expect("the javascript: case ran");
    assert_eq!(refused.status, Status::Pass, "{}", refused.message);
    assert!(
        refused.notes.iter().all(|n| !n.contains("cleanup")),
        "{:?}",
        refused.notes
    );
    assert!(
        refused
            .exchanges
            .iter()
            .all(|x| !x.label.starts_with("cleanup")),
        "no cleanup request for a refused registration"
    );
    assert_eq!(
        reference.server.registered_client_count(),
        0,
        "registered clients left behind after {} cases ({} failed)",
        record.cases.len(),
        failed.len()
    );
}
