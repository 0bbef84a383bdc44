using Berth.Engine.Images;

namespace Berth.Engine.Containers;

/// <summary>POST /commit parameters (docker commit).</summary>
public sealed record CommitRequest(string Container, string? Repo, string? Tag, string? Comment, string? Author, bool Pause, IReadOnlyList<string> Changes);

/// <summary>What the image service needs to turn a container's diff into an image.</summary>
/// <param name="WriteLayer">Writes the container's diff as a layer tar (runs on a worker thread).</param>
public sealed record CommitImageRequest(
    Digest ParentImage, Action<Stream> WriteLayer, RunConfig Config, string ContainerId,
    string? Comment, string? Author, string CreatedBy, string? Repo, string? Tag);

/// <summary>Implemented by the image service: registers a committed image (moby CommitImage).</summary>
public interface IImageCommitter
{
    Task<Digest> CommitImageAsync(CommitImageRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// Container file operations beside the lifecycle: docker cp (archive), docker diff (changes)
/// and docker commit. Kept apart from <see cref="IContainerService"/> so the router and the
/// service files for them stay separate.
/// </summary>
public interface IContainerArchive
{
    Task<PathStat> StatPathAsync(string reference, string path, CancellationToken cancellationToken = default);

    /// <summary>Calls <paramref name="onStat"/> (headers) before the first tar byte is written to <paramref name="output"/>.</summary>
    Task GetArchiveAsync(string reference, string path, Stream output, Func<PathStat, Task> onStat, CancellationToken cancellationToken = default);

    /// <summary><paramref name="tar"/> is read synchronously on a worker thread (a request body must be wrapped accordingly).</summary>
    Task ExtractAsync(string reference, string path, Stream tar, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken = default);

    IReadOnlyList<FileChange> Changes(string reference);

    Task<Digest> CommitAsync(CommitRequest request, CancellationToken cancellationToken = default);
}
