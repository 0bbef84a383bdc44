using Berth.Engine.State;

namespace Berth.Storage;

/// <summary>The daemon's stable identity (GET /info "ID"), kept in the state store.</summary>
public static class DaemonIdentity
{
    public const string MetaKey = "daemon-id";

    /// <summary>
    /// Returns the stored id, creating it on first start. dockerd 23+ uses a random UUID here
    /// (older versions used a key fingerprint); clients treat it as opaque but expect it stable.
    /// </summary>
    public static string GetOrCreateDaemonId(IStateStore store) =>
        store.GetOrAddMeta(MetaKey, () => Guid.NewGuid().ToString());
}
