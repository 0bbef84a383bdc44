using Berth.Engine.Images;

namespace Berth.Engine.Build;

/// <summary>An image as the builder works with it: id, config, and its layers for reading files.</summary>
/// <param name="Id">null for scratch.</param>
/// <param name="LayerDirs">Unpacked layer directories, top first (empty for scratch).</param>
public sealed record BuildImage(Digest? Id, ImageConfig Config, IReadOnlyList<string> LayerDirs)
{
    public static BuildImage Scratch { get; } = new(null, new ImageConfig { Os = "linux", RootFs = new RootFs { DiffIds = [] } }, []);
}

/// <summary>A finished RUN container: its exit code and id (for commit and removal).</summary>
public sealed record RunResult(string ContainerId, int ExitCode);

/// <summary>
/// What the builder needs from the rest of the engine: images, containers on the same runtime
/// path as docker run, and commits. Kept narrow so the dispatcher is testable without a daemon.
/// </summary>
public interface IBuildBackend
{
    /// <summary>The local image for a reference or id; null when there is none.</summary>
    BuildImage? FindImage(string reference);

    /// <summary>Pulls a base image (FROM with --pull, or missing locally).</summary>
    Task<BuildImage> PullAsync(string reference, string? platform, IBuildOutput output, CancellationToken cancellationToken);

    /// <summary>Creates and runs a RUN container to its end, streaming its output.</summary>
    Task<RunResult> RunAsync(BuildImage parent, RunConfig config, IReadOnlyList<string> command, BuildOptions options, IBuildOutput output, CancellationToken cancellationToken);

    /// <summary>A child image from a RUN container's changes.</summary>
    Task<BuildImage> CommitContainerAsync(string containerId, BuildImage parent, RunConfig config, string createdBy, CancellationToken cancellationToken);

    /// <summary>A child image from a layer tar (COPY/ADD/WORKDIR), or with no layer (empty_layer) when null.</summary>
    Task<BuildImage> CommitAsync(BuildImage parent, Stream? layerTar, RunConfig config, string createdBy, CancellationToken cancellationToken);

    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    void Tag(Digest imageId, string reference);

    /// <summary>The build cache: a step key to the image it made (null when unknown or gone).</summary>
    BuildImage? CacheLookup(string key);

    void CacheStore(string key, Digest imageId);
}
