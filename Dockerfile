# The cockpit's image: `cockpit collect` in a cluster (deploy/), or any cockpit command.
#   docker build -t cockpit --build-arg COCKPIT_GIT_COMMIT=$(git rev-parse HEAD) .
# Two stages: the toolchain builds the binary; the runtime has the binary, CA certificates
# and a non-root user, and nothing else.

FROM rust:bookworm AS builder
WORKDIR /src
# The build's commit, shown by `cockpit info` (optional).
ARG COCKPIT_GIT_COMMIT=""
ENV COCKPIT_GIT_COMMIT=${COCKPIT_GIT_COMMIT}
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# Built into the binary: the themes and keymaps it ships.
COPY themes ./themes
COPY keymaps ./keymaps
# Cargo.toml names the benches: the manifest needs their files.
COPY benches ./benches
RUN cargo build --release --locked --bin cockpit \
    && install -m 0755 target/release/cockpit /usr/local/bin/cockpit

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 cockpit \
    && useradd --system --uid 10001 --gid cockpit --home-dir /var/lib/cockpit --create-home --shell /usr/sbin/nologin cockpit
COPY --from=builder /usr/local/bin/cockpit /usr/local/bin/cockpit
ENV COCKPIT_CONFIG_DIR=/etc/cockpit \
    COCKPIT_STATE_DIR=/var/lib/cockpit
USER 10001:10001
WORKDIR /var/lib/cockpit
ENTRYPOINT ["/usr/local/bin/cockpit"]
CMD ["collect"]
