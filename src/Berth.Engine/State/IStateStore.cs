namespace Berth.Engine.State;

/// <summary>
/// The daemon's durable metadata store (SQLite in WAL mode under data-root). Every write is one
/// transaction: after kill -9 a write is either fully there or not at all.
/// </summary>
public interface IStateStore : IDisposable
{
    /// <summary>Path of the database file.</summary>
    string Path { get; }

    /// <summary>Schema version after migrations ran.</summary>
    int SchemaVersion { get; }

    string? GetMeta(string key);

    void SetMeta(string key, string value);

    /// <summary>Returns the stored value, or atomically stores and returns <paramref name="create"/>'s.</summary>
    string GetOrAddMeta(string key, Func<string> create);
}
