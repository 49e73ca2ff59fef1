//! The standard OAuth endpoints beside `/login`, so that any OAuth client library can talk to
//! the service: RFC 8414 metadata ([`metadata`], [`endpoints`]), `POST /token` ([`token`]:
//! `client_credentials` and `refresh_token`), RFC 7009 revocation ([`revocation`]), RFC 7662
//! introspection ([`introspection`]); the machine clients ([`clients`]), how a caller
//! authenticates ([`client_auth`]), the form-encoded body ([`form`]), and which token a
//! presented string is ([`issued`]).

pub mod client_auth;
pub mod clients;
pub mod endpoints;
pub mod form;
pub mod introspection;
pub mod issued;
pub mod metadata;
pub mod revocation;
pub mod token;
