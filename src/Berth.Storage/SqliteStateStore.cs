using Berth.Engine.Errors;
using Berth.Engine.State;
using Microsoft.Data.Sqlite;

namespace Berth.Storage;

/// <summary>
/// <see cref="IStateStore"/> on one SQLite file, <c>&lt;data-root&gt;/berth.db</c>. berthd is the only
/// writer, so one long-lived connection behind a lock is enough and keeps every operation
/// serialised without relying on SQLite's busy handling.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    public const string FileName = "berth.db";

    private const int BusyTimeoutMs = 5000;

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private bool _disposed;

    public SqliteStateStore(string dataRoot)
        : this(dataRoot, Migrations.All)
    {
    }

    /// <summary>Tests pass their own migration list to simulate older and newer builds.</summary>
    internal SqliteStateStore(string dataRoot, IReadOnlyList<Migration> migrations)
    {
        Migrations.Validate(migrations);
        if (!Directory.Exists(dataRoot))
        {
            // Container metadata (env vars, commands) may hold secrets: owner only.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dataRoot);
            }
            else
            {
                Directory.CreateDirectory(dataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        Path = System.IO.Path.Combine(dataRoot, FileName);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Without pooling, Dispose really closes the file, so a restart (or a test) can reopen it.
            Pooling = false,
        }.ToString();
        // No explicit SQLitePCL init: Microsoft.Data.Sqlite 10 binds its bundled e_sqlite3 itself,
        // also under NativeAOT (checked with a published smoke app). libe_sqlite3.so is not linked
        // into the executable, though; it has to ship next to berthd.
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            Configure();
            SchemaVersion = Migrate(migrations);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int SchemaVersion { get; }

    public string? GetMeta(string key) =>
        InTransaction((connection, transaction) => ReadMeta(connection, transaction, key));

    public void SetMeta(string key, string value) =>
        InTransaction((connection, transaction) =>
        {
            using var command = CreateCommand(connection, transaction,
                "INSERT INTO meta (key, value) VALUES ($key, $value) " +
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", value);
            return command.ExecuteNonQuery();
        });

    public string GetOrAddMeta(string key, Func<string> create) =>
        InTransaction((connection, transaction) =>
        {
            var existing = ReadMeta(connection, transaction, key);
            if (existing is not null)
            {
                return existing;
            }
            using (var insert = CreateCommand(connection, transaction,
                "INSERT OR IGNORE INTO meta (key, value) VALUES ($key, $value)"))
            {
                insert.Parameters.AddWithValue("$key", key);
                insert.Parameters.AddWithValue("$value", create());
                insert.ExecuteNonQuery();
            }
            return ReadMeta(connection, transaction, key)
                ?? throw new InvalidOperationException($"meta key {key} vanished inside its own transaction");
        });

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction under the store lock; it commits
    /// only when <paramref name="work"/> returns, so an exception leaves the database untouched.
    /// </summary>
    internal T InTransaction<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction(deferred: false);
            var result = work(_connection, transaction);
            transaction.Commit();
            return result;
        }
    }

    internal static SqliteCommand CreateCommand(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _connection.Dispose();
        }
    }

    private void Configure()
    {
        // WAL: readers never block the writer and a commit is one append, not a rewrite.
        var mode = ExecuteScalar("PRAGMA journal_mode=WAL") as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw DaemonException.System($"cannot enable WAL journal mode on {Path} (got {mode ?? "nothing"})");
        }
        // In WAL mode, NORMAL only fsyncs at checkpoints: it survives kill -9 (the OS still has the
        // pages) but a power loss can drop the last commits. FULL fsyncs the WAL on every commit, so
        // whatever the API acknowledged (a created container, a reserved name) is on disk.
        ExecuteScalar("PRAGMA synchronous=FULL");
        ExecuteScalar("PRAGMA foreign_keys=ON");
        // Only matters if another process (an operator's sqlite3 shell) holds the file briefly.
        ExecuteScalar($"PRAGMA busy_timeout={BusyTimeoutMs}");
    }

    private int Migrate(IReadOnlyList<Migration> migrations)
    {
        var current = Convert.ToInt32(ExecuteScalar("PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        var supported = migrations.Count;
        if (current > supported)
        {
            throw DaemonException.System(Messages.SchemaTooNew(current, supported, Path));
        }
        foreach (var migration in migrations)
        {
            if (migration.Version <= current)
            {
                continue;
            }
            // The version bump commits with the schema change, so a crash mid-migration reruns it whole.
            using var transaction = _connection.BeginTransaction(deferred: false);
            using (var command = CreateCommand(_connection, transaction, migration.Sql))
            {
                command.ExecuteNonQuery();
            }
            using (var bump = CreateCommand(_connection, transaction, $"PRAGMA user_version={migration.Version}"))
            {
                bump.ExecuteNonQuery();
            }
            transaction.Commit();
            current = migration.Version;
        }
        return current;
    }

    private object? ExecuteScalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static string? ReadMeta(SqliteConnection connection, SqliteTransaction transaction, string key)
    {
        using var command = CreateCommand(connection, transaction, "SELECT value FROM meta WHERE key = $key");
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }
}
