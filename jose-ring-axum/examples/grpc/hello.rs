//! The `hello.Greeter` service, written by hand with prost and tonic's server and client
//! parts (what `tonic-build` would generate, without `protoc` or a build script): the
//! messages and paths match this `.proto`:
//!
//! ```proto
//! syntax = "proto3";
//! package hello;
//! service Greeter { rpc SayHello (HelloRequest) returns (HelloReply); }
//! message HelloRequest { string name = 1; }
//! message HelloReply { string message = 1; }
//! ```
//!
//! Shared by the `grpc` example (the server) and the tests (the client), with `#[path]`.
#![allow(
    dead_code,
    unreachable_pub,
    reason = "shared by the example (the server) and the tests (the client too)"
)]

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// The one method's path, as gRPC puts it in the `:path` of the HTTP/2 request.
pub const SAY_HELLO: &str = "/hello.Greeter/SayHello";

/// `hello.HelloRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    /// Field 1.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `hello.HelloReply`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloReply {
    /// Field 1.
    #[prost(string, tag = "1")]
    pub message: String,
}

/// What the server does with a call.
pub type Handler =
    dyn Fn(Request<HelloRequest>) -> Result<Response<HelloReply>, Status> + Send + Sync;

/// The `hello.Greeter` server: routes `SayHello` to its handler, anything else
/// `UNIMPLEMENTED`.
#[derive(Clone)]
pub struct GreeterServer {
    handler: Arc<Handler>,
}

impl GreeterServer {
    /// A server answering `SayHello` with `handler`.
    pub fn new(
        handler: impl Fn(Request<HelloRequest>) -> Result<Response<HelloReply>, Status>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self {
            handler: Arc::new(handler),
        }
    }
}

impl NamedService for GreeterServer {
    const NAME: &'static str = "hello.Greeter";
}

/// `SayHello` as tonic's unary service.
struct SayHello(Arc<Handler>);

impl UnaryService<HelloRequest> for SayHello {
    type Response = HelloReply;
    type Future = Ready<Result<Response<HelloReply>, Status>>;

    fn call(&mut self, request: Request<HelloRequest>) -> Self::Future {
        ready((self.0)(request))
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Infallible>> + Send>>;

impl<B> tower_service::Service<http::Request<B>> for GreeterServer
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != SAY_HELLO {
            return Box::pin(async { Ok(Status::unimplemented("no such method").into_http()) });
        }
        let method = SayHello(Arc::clone(&self.handler));
        Box::pin(async move {
            let mut grpc = Grpc::new(ProstCodec::<HelloReply, HelloRequest>::default());
            Ok(grpc.unary(method, request).await)
        })
    }
}

/// A `hello.Greeter` client over a tonic channel.
#[derive(Clone)]
pub struct GreeterClient {
    inner: tonic::client::Grpc<tonic::transport::Channel>,
}

impl GreeterClient {
    /// A client on `channel`.
    pub fn new(channel: tonic::transport::Channel) -> Self {
        Self {
            inner: tonic::client::Grpc::new(channel),
        }
    }

    /// Calls `SayHello`.
    pub async fn say_hello(
        &mut self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        self.inner
            .ready()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let path = http::uri::PathAndQuery::from_static(SAY_HELLO);
        self.inner
            .unary(
                request,
                path,
                ProstCodec::<HelloRequest, HelloReply>::default(),
            )
            .await
    }
}
