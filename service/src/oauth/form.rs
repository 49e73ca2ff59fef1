//! The body of the OAuth endpoints (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1):
//! `application/x-www-form-urlencoded` parameters, read once into a [`Form`]. A parameter
//! sent twice is refused (RFC 6749 §3.1: "MUST NOT be included more than once"), except
//! `resource` (RFC 8707 §2 lets it repeat); an empty one counts as absent (§3.1); unknown
//! ones are ignored (§3.1).

use axum::http::{HeaderMap, header};

use crate::refusal::Refusal;

/// The one parameter that may repeat (RFC 8707 §2).
const REPEATABLE: &str = "resource";

/// The form parameters of a request.
#[derive(Debug, Default)]
pub struct Form {
    params: Vec<(String, String)>,
}

impl Form {
    /// Reads `body` if `headers` say it is form-encoded.
    ///
    /// # Errors
    ///
    /// 400 `invalid_request` if the content type is not `application/x-www-form-urlencoded`
    /// or a parameter other than `resource` is sent twice.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, Refusal> {
        let form_encoded = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|media| {
                media
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !form_encoded {
            return Err(Refusal::oauth(
                "invalid_request",
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(body) {
            if value.is_empty() {
                continue;
            }
            if name != REPEATABLE && params.iter().any(|(seen, _)| *seen == name) {
                return Err(Refusal::oauth(
                    "invalid_request",
                    "a parameter is included more than once",
                ));
            }
            params.push((name.into_owned(), value.into_owned()));
        }
        Ok(Self { params })
    }

    /// The value of `name`, if sent.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(seen, _)| seen == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `resource`, in order.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(|(name, _)| name == REPEATABLE)
            .map(|(_, value)| value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(content_type: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers
    }

    #[test]
    fn reads_decodes_and_refuses_repeats() {
        let form = Form::parse(
            &headers("application/x-www-form-urlencoded; charset=UTF-8"),
            b"grant_type=client_credentials&scope=a+b%3Ac&resource=r1&resource=r2&empty=&x=1",
        );
        let form = form.as_ref().ok();
        assert_eq!(
            form.and_then(|f| f.get("grant_type")),
            Some("client_credentials")
        );
        assert_eq!(form.and_then(|f| f.get("scope")), Some("a b:c"));
        assert_eq!(form.and_then(|f| f.get("empty")), None);
        assert_eq!(
            form.map(|f| f.resources().collect::<Vec<_>>()),
            Some(vec!["r1", "r2"])
        );
        let twice = Form::parse(
            &headers("application/x-www-form-urlencoded"),
            b"scope=a&scope=b",
        );
        assert_eq!(
            twice.map(|_| ()),
            Err(Refusal::oauth(
                "invalid_request",
                "a parameter is included more than once"
            ))
        );
        // An empty repeat is no repeat (RFC 6749 §3.1: empty means omitted).
        assert!(
            Form::parse(
                &headers("application/x-www-form-urlencoded"),
                b"scope=a&scope="
            )
            .is_ok()
        );
        let not_a_form = Err(Refusal::oauth(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
        assert_eq!(
            Form::parse(&headers("application/json"), b"{}").map(|_| ()),
            not_a_form
        );
        assert_eq!(
            Form::parse(&HeaderMap::new(), b"a=b").map(|_| ()),
            not_a_form
        );
    }
}
