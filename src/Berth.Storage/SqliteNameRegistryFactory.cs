using Berth.Engine.State;

namespace Berth.Storage;

/// <summary>
/// Hands out one <see cref="SqliteNameRegistry"/> per kind. Caching matters: two instances of
/// the same kind would each hold their own in-memory view and drift apart.
/// </summary>
public sealed class SqliteNameRegistryFactory : INameRegistryFactory
{
    private readonly SqliteStateStore _store;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SqliteNameRegistry> _registries = new(StringComparer.Ordinal);

    public SqliteNameRegistryFactory(SqliteStateStore store)
    {
        _store = store;
    }

    public INameRegistry Open(string kind)
    {
        lock (_lock)
        {
            if (!_registries.TryGetValue(kind, out var registry))
            {
                registry = new SqliteNameRegistry(_store, kind);
                _registries.Add(kind, registry);
            }
            return registry;
        }
    }
}
