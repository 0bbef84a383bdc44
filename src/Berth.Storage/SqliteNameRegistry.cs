using System.Text.RegularExpressions;
using Berth.Engine.Errors;
using Berth.Engine.State;
using Microsoft.Data.Sqlite;

namespace Berth.Storage;

/// <summary>
/// <see cref="INameRegistry"/> kept in memory for lookups and in the <c>names</c> table for
/// restarts. Every change is committed to SQLite first and applied in memory only after the
/// commit, so a failed write leaves both sides as they were.
/// </summary>
public sealed partial class SqliteNameRegistry : INameRegistry
{
    public const string ContainerKind = "container";

    private readonly SqliteStateStore _store;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string?> _nameById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByName = new(StringComparer.Ordinal);
    // Sorted so a prefix lookup is a range query instead of a scan over every id.
    private readonly SortedSet<string> _ids = new(StringComparer.Ordinal);

    internal SqliteNameRegistry(SqliteStateStore store, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        _store = store;
        Kind = kind;
        Load();
    }

    public string Kind { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }

    public void Register(string id, string? name)
    {
        if (!IdGenerator.IsFullId(id))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidObjectId(Kind, id));
        }
        var canonical = name is null ? null : Canonicalize(name);
        lock (_lock)
        {
            if (_nameById.ContainsKey(id))
            {
                throw DaemonException.Conflict(Messages.DuplicateObjectId(Kind, id));
            }
            if (canonical is not null)
            {
                ThrowIfTaken(canonical);
            }
            Write(id, (connection, transaction) =>
            {
                using var command = SqliteStateStore.CreateCommand(connection, transaction,
                    "INSERT INTO names (kind, id, name, created_unix_nano) VALUES ($kind, $id, $name, $created)");
                command.Parameters.AddWithValue("$kind", Kind);
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$name", (object?)canonical ?? DBNull.Value);
                command.Parameters.AddWithValue("$created", UnixNanoNow());
                return command.ExecuteNonQuery();
            });
            Add(id, canonical);
        }
    }

    public void Unregister(string id)
    {
        lock (_lock)
        {
            if (!_nameById.TryGetValue(id, out var name))
            {
                return;
            }
            Write(id, (connection, transaction) =>
            {
                using var command = SqliteStateStore.CreateCommand(connection, transaction,
                    "DELETE FROM names WHERE kind = $kind AND id = $id");
                command.Parameters.AddWithValue("$kind", Kind);
                command.Parameters.AddWithValue("$id", id);
                return command.ExecuteNonQuery();
            });
            _nameById.Remove(id);
            _ids.Remove(id);
            if (name is not null)
            {
                _idByName.Remove(name);
            }
        }
    }

    public void Rename(string id, string newName)
    {
        if (string.IsNullOrEmpty(newName) && IsContainer)
        {
            throw DaemonException.InvalidParameter(Messages.RenameEmptyName);
        }
        var canonical = Canonicalize(newName);
        lock (_lock)
        {
            if (!_nameById.TryGetValue(id, out var oldName))
            {
                throw DaemonException.NotFound(Messages.NoSuchObject(Kind, id));
            }
            if (string.Equals(oldName, canonical, StringComparison.Ordinal))
            {
                if (IsContainer)
                {
                    throw DaemonException.InvalidParameter(Messages.RenameSameName);
                }
                return;
            }
            ThrowIfTaken(canonical);
            Write(id, (connection, transaction) =>
            {
                using var command = SqliteStateStore.CreateCommand(connection, transaction,
                    "UPDATE names SET name = $name WHERE kind = $kind AND id = $id");
                command.Parameters.AddWithValue("$kind", Kind);
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$name", canonical);
                return command.ExecuteNonQuery();
            });
            if (oldName is not null)
            {
                _idByName.Remove(oldName);
            }
            _nameById[id] = canonical;
            _idByName[canonical] = id;
        }
    }

    public string Resolve(string reference) =>
        TryResolve(reference) ?? throw DaemonException.NotFound(Messages.NoSuchObject(Kind, reference));

    public string? TryResolve(string reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            // dockerd's GetContainer rejects "" before any lookup.
            throw DaemonException.InvalidParameter(Messages.InvalidIdentifier(reference));
        }
        lock (_lock)
        {
            if (_nameById.ContainsKey(reference))
            {
                return reference;
            }
            if (_idByName.TryGetValue(reference, out var byName)
                || (reference[0] == '/' && _idByName.TryGetValue(reference[1..], out byName)))
            {
                return byName;
            }
            string? match = null;
            foreach (var id in _ids.GetViewBetween(reference, reference + char.MaxValue))
            {
                if (match is not null)
                {
                    throw DaemonException.InvalidParameter(Messages.AmbiguousPrefix(reference));
                }
                match = id;
            }
            return match;
        }
    }

    public string? NameOf(string id)
    {
        lock (_lock)
        {
            return _nameById.GetValueOrDefault(id);
        }
    }

    private bool IsContainer => string.Equals(Kind, ContainerKind, StringComparison.Ordinal);

    /// <summary>
    /// The stored form of a name. Container names are stored without dockerd's leading '/', so
    /// one form serves lookups with and without it; dockerd's character rule applies to them.
    /// </summary>
    private string Canonicalize(string name)
    {
        if (IsContainer)
        {
            var bare = name.StartsWith('/') ? name[1..] : name;
            if (!ContainerNamePattern().IsMatch(bare))
            {
                throw DaemonException.InvalidParameter(Messages.InvalidContainerName(name));
            }
            return bare;
        }
        if (name.Length == 0)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidName(Kind));
        }
        return name;
    }

    private void ThrowIfTaken(string name)
    {
        if (_idByName.TryGetValue(name, out var owner))
        {
            throw DaemonException.Conflict(IsContainer
                ? Messages.ContainerNameConflict("/" + name, owner)
                : Messages.NameConflict(Kind, name, owner));
        }
    }

    private void Write(string id, Func<SqliteConnection, SqliteTransaction, int> change)
    {
        try
        {
            _store.InTransaction(change);
        }
        catch (SqliteException e)
        {
            throw DaemonException.System(Messages.StateWriteFailed(Kind, id, e.Message), e);
        }
    }

    private void Load()
    {
        var rows = _store.InTransaction((connection, transaction) =>
        {
            using var command = SqliteStateStore.CreateCommand(connection, transaction,
                "SELECT id, name FROM names WHERE kind = $kind");
            command.Parameters.AddWithValue("$kind", Kind);
            using var reader = command.ExecuteReader();
            var list = new List<(string Id, string? Name)>();
            while (reader.Read())
            {
                list.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
            return list;
        });
        foreach (var (id, name) in rows)
        {
            Add(id, name);
        }
    }

    private void Add(string id, string? name)
    {
        _nameById.Add(id, name);
        _ids.Add(id);
        if (name is not null)
        {
            _idByName.Add(name, id);
        }
    }

    private static long UnixNanoNow() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    // dockerd's RestrictedNamePattern: at least two characters, the first alphanumeric.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerNamePattern();
}
