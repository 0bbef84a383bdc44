namespace Berth.Engine.Build;

/// <summary>One build cache row.</summary>
public sealed record BuildCacheEntry(string Key, string ImageId, DateTimeOffset Created, DateTimeOffset LastUsed);

/// <summary>The persistent build cache (survives daemon restarts); every call is one transaction.</summary>
public interface IBuildCacheStore
{
    string? Lookup(string key);

    void Store(string key, string imageId);

    IReadOnlyList<BuildCacheEntry> List();

    void Delete(IReadOnlyList<string> keys);
}
