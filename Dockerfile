# voyplan as a container: one static binary on a distroless base, run as a
# non-root user, with no shell — the Kubernetes Indexed Job in
# deploy/kubernetes/ needs none (`apply --segment auto`).
#
#   docker build -t registry.example.com/voyplan:latest .
#
# The build stage compiles with CGO off, so the binary needs no libc; the
# final image holds it, CA certificates (the Gemini API, ngrok, an https
# assistant) and time zone data, and nothing else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/voyplan ./cmd/voyplan

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/voyplan /usr/local/bin/voyplan
COPY plans /plans
COPY personas /personas
# distroless's nonroot user (65532); results go to a mounted volume.
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/voyplan"]
CMD ["version"]
