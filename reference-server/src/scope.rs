//! Scope values (RFC 6749 §3.3): parsing and the subset rule.

/// A requested `scope` that is not a valid scope string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the scope parameter is malformed")]
pub struct MalformedScope;

/// Splits a scope string into its tokens, without duplicates and in the order given.
///
/// RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`,
/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`; tokens are case-sensitive.
pub fn parse(scope: &str) -> Result<Vec<&str>, MalformedScope> {
    let mut tokens: Vec<&str> = Vec::new();
    for token in scope.split(' ') {
        let valid = !token.is_empty()
            && token
                .bytes()
                .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E));
        if !valid {
            return Err(MalformedScope);
        }
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    Ok(tokens)
}

/// Whether every requested token is among the allowed ones.
pub fn is_subset<'a>(requested: &[&str], allowed: impl IntoIterator<Item = &'a str>) -> bool {
    let allowed: Vec<&str> = allowed.into_iter().collect();
    requested.iter().all(|r| allowed.contains(r))
}

/// Joins tokens back into a scope string.
pub fn join(tokens: &[&str]) -> String {
    tokens.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(parse("read write read"), Ok(vec!["read", "write"]));
        assert_eq!(parse("read  write"), Err(MalformedScope));
        assert_eq!(parse("re\"ad"), Err(MalformedScope));
        assert_eq!(parse("read\twrite"), Err(MalformedScope));
    }

    #[test]
    fn subset_is_case_sensitive() {
        assert!(is_subset(&["read"], ["read", "write"]));
        assert!(!is_subset(&["READ"], ["read", "write"]));
    }
}
