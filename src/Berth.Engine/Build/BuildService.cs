using Berth.Engine.Build.Context;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Build;

/// <summary>POST /build and POST /build/prune, on top of the builder.</summary>
public interface IBuildService
{
    /// <summary>Unpacks the context, parses the Dockerfile and runs the build; returns the image id.</summary>
    Task<Digest> BuildAsync(Stream context, BuildOptions options, IBuildOutput output, CancellationToken cancellationToken);

    /// <summary>Forgets cache entries (all, or those whose image is gone); returns the keys removed.</summary>
    IReadOnlyList<string> Prune(bool all);

    IReadOnlyList<BuildCacheEntry> CacheEntries();
}

/// <summary>
/// Each build gets a private directory under the daemon's tmp (context, layer tars), removed when
/// the build ends whatever happened. Parse and context errors happen before the first byte of
/// output, so the API can still answer them with an HTTP error status.
/// </summary>
public sealed class BuildService(IBuildBackend backend, IBuildCacheStore cache, string tmpRoot) : IBuildService
{
    private const string ScratchPrefix = "build-";

    /// <summary>
    /// Removes the scratch directories of builds a crash cut short (the finally below never ran);
    /// called at start-up, before any build can run.
    /// </summary>
    public static void RemoveLeftovers(string tmpRoot)
    {
        if (!Directory.Exists(tmpRoot))
        {
            return;
        }
        foreach (string dir in Directory.EnumerateDirectories(tmpRoot, ScratchPrefix + "*"))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public async Task<Digest> BuildAsync(Stream context, BuildOptions options, IBuildOutput output, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(tmpRoot, ScratchPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var unpacked = await BuildContext.ExtractAsync(context, Path.Combine(dir, "context"), cancellationToken);
            string dockerfile = ReadDockerfile(unpacked.Root, options.Dockerfile);
            var plan = BuildPlan.Create(dockerfile, options.Target);
            string scratch = Path.Combine(dir, "layers");
            Directory.CreateDirectory(scratch);
            var builder = new Builder(backend, plan, options, output, unpacked.Root, scratch);
            return await builder.RunAsync(cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The Dockerfile by its context path; a path leaving the context or missing is dockerd's error.</summary>
    private static string ReadDockerfile(string root, string name)
    {
        string relative = DockerIgnore.CleanPath("/" + (string.IsNullOrEmpty(name) ? "Dockerfile" : name)).TrimStart('/');
        var view = new LayeredView([root]);
        string resolved = view.Resolve("/" + relative, followFinal: true);
        if (view.Lookup(resolved).Kind != NodeKind.File)
        {
            // dockerd also accepts the lower-case name when the default is missing.
            if (string.IsNullOrEmpty(name) || name == "Dockerfile")
            {
                string lower = view.Resolve("/dockerfile", followFinal: true);
                if (view.Lookup(lower).Kind == NodeKind.File)
                {
                    return File.ReadAllText(view.HostPath(lower)!);
                }
            }
            throw DaemonException.InvalidParameter($"Cannot locate specified Dockerfile: {(string.IsNullOrEmpty(name) ? "Dockerfile" : name)}");
        }
        return File.ReadAllText(view.HostPath(resolved)!);
    }

    public IReadOnlyList<string> Prune(bool all)
    {
        var entries = cache.List();
        var remove = entries.Where(e => all || backend.FindImage(e.ImageId) is null).Select(e => e.Key).ToList();
        cache.Delete(remove);
        return remove;
    }

    public IReadOnlyList<BuildCacheEntry> CacheEntries() => cache.List();
}
