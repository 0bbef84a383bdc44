namespace Berth.Engine.State;

/// <summary>
/// The id/name registry for one object kind ("container", "network", "volume", "exec"):
/// 64-hex ids, names unique within the kind, and dockerd's lookup order — full id, then exact
/// name, then unique id prefix.
/// </summary>
public interface INameRegistry
{
    /// <summary>The object kind this registry serves, as used in error texts ("container").</summary>
    string Kind { get; }

    /// <summary>Adds an object. Throws Conflict when the name is taken, InvalidParameter for a bad id or name.</summary>
    void Register(string id, string? name);

    /// <summary>Removes an object; unknown ids are ignored.</summary>
    void Unregister(string id);

    /// <summary>Renames an object. Throws NotFound for an unknown id, Conflict when the name is taken.</summary>
    void Rename(string id, string newName);

    /// <summary>
    /// Resolves a full id, a name (with or without a leading '/') or a unique id prefix to the id.
    /// Throws NotFound ("No such container: x"), and InvalidParameter for an ambiguous prefix or an
    /// empty reference, as dockerd does.
    /// </summary>
    string Resolve(string reference);

    /// <summary>Same as <see cref="Resolve"/> but returns null instead of NotFound.</summary>
    string? TryResolve(string reference);

    /// <summary>
    /// The name registered for an id, or null. Container names come back without dockerd's
    /// leading '/' (Register accepts either form); API responses add it where dockerd shows it.
    /// </summary>
    string? NameOf(string id);

    int Count { get; }
}

/// <summary>Opens registries by kind; all share one database.</summary>
public interface INameRegistryFactory
{
    INameRegistry Open(string kind);
}
