"""The configuration files of the cluster's servers, rendered from its state."""

from __future__ import annotations

from pathlib import Path

from lifeline.cluster.topology import DATABASE, REPLICA_DATABASE, ClusterState, PgNode

# The cheap URL HAProxy checks: the sign-in page renders without the database, so a
# database outage leaves the app servers in rotation and clients get the app's own 503
# (in the API's error shape) instead of HAProxy's page.
HEALTH_CHECK_PATH = "/login/"


def postgresql_conf(*, node: PgNode, base: Path) -> str:
    """Appended to initdb's postgresql.conf (later lines win); the replica gets the
    primary's copy from pg_basebackup plus :func:`replica_conf`."""
    archive = base / "postgres" / "wal-archive"
    return (
        "\n# lifeline cluster\n"
        "listen_addresses = '127.0.0.1'\n"
        f"port = {node.port}\n"
        f"unix_socket_directories = '{base / 'postgres' / 'run'}'\n"
        "max_connections = 100\n"
        "shared_buffers = 64MB\n"
        # The app's sessions get UTC from the server itself: through a pooler in transaction
        # mode, a session's own SET TIME ZONE would leak to the next client.
        "timezone = 'UTC'\n"
        "wal_level = replica\n"
        "max_wal_senders = 10\n"
        "max_replication_slots = 10\n"
        "wal_keep_size = 256MB\n"
        "hot_standby = on\n"
        "archive_mode = on\n"
        f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
    )


def replica_conf(*, node: PgNode) -> str:
    return f"\n# lifeline cluster: the replica\nport = {node.port}\nhot_standby = on\n"


def pg_hba_conf() -> str:
    """Trust on the loopback only, replication included (pg_basebackup, the standby and
    the backup drill connect as postgres over TCP)."""
    return (
        "# lifeline cluster: loopback only\n"
        "local   all          all                  trust\n"
        "host    all          all   127.0.0.1/32   trust\n"
        "host    replication  all   127.0.0.1/32   trust\n"
        "local   replication  all                  trust\n"
    )


def pgbouncer_ini(*, state: ClusterState, primary_port: int, replica_port: int) -> str:
    """Transaction pooling, two databases: ``lifeline`` (writes, on the primary) and
    ``lifeline_replica`` (reads). The promote drill rewrites the ports and reloads."""
    folder = state.base / "pgbouncer"
    return (
        "[databases]\n"
        f"{DATABASE} = host=127.0.0.1 port={primary_port} dbname={DATABASE}\n"
        f"{REPLICA_DATABASE} = host=127.0.0.1 port={replica_port} dbname={DATABASE}\n"
        "\n[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {state.ports.pooler}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {folder / 'userlist.txt'}\n"
        "admin_users = postgres\n"
        "pool_mode = transaction\n"
        "default_pool_size = 20\n"
        "max_db_connections = 40\n"
        "max_client_conn = 500\n"
        "server_idle_timeout = 30\n"
        # With the server down, fail a waiting client within seconds (the app answers 503)
        # instead of holding it for PgBouncer's default two minutes.
        "server_connect_timeout = 3\n"
        "server_login_retry = 1\n"
        "query_wait_timeout = 10\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )


def pgbouncer_userlist() -> str:
    return '"postgres" ""\n'


def haproxy_cfg(*, state: ClusterState) -> str:
    folder = state.base / "haproxy"
    servers = "".join(f"    server {p.name} 127.0.0.1:{p.port} check\n" for p in state.app_servers)
    return (
        "global\n"
        "    maxconn 2000\n"
        "    log stdout format raw local0\n"
        f"    stats socket {folder / 'admin.sock'} mode 600 level admin\n"
        "\ndefaults\n"
        "    mode http\n"
        "    log global\n"
        "    option httplog\n"
        "    timeout connect 2s\n"
        "    timeout client 60s\n"
        "    timeout server 60s\n"
        "    timeout http-request 10s\n"
        # A request whose connection to an app server fails, or whose server dies before
        # answering (kill -9), is sent again to another server. That is safe for the API's
        # POSTs because they carry an Idempotency-Key: if the dead server had committed
        # the create, the retry returns the same order instead of filing a second one.
        "    retries 3\n"
        "    option redispatch 1\n"
        "    retry-on conn-failure empty-response response-timeout\n"
        "\nfrontend lifeline\n"
        f"    bind 127.0.0.1:{state.ports.balancer}\n"
        "    default_backend app_servers\n"
        "\nbackend app_servers\n"
        "    balance roundrobin\n"
        "    option httpchk\n"
        f"    http-check send meth GET uri {HEALTH_CHECK_PATH} ver HTTP/1.1 hdr Host 127.0.0.1\n"
        "    http-check expect status 200\n"
        # Failed connections take a server out at once, before its next health check.
        "    default-server inter 1s fall 2 rise 2\n"
        "    default-server observe layer4 error-limit 1 on-error mark-down\n"
        f"{servers}"
    )
