using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Registers committed images (the image service); set by the composition root.</summary>
    public IImageCommitter? Committer { get; init; }

    /// <summary>
    /// POST /commit (moby daemon/commit.go): the container's upper directory becomes a layer on
    /// its image, the run config is the container's with the changes applied, and a "commit" event
    /// names the new image. A running container is frozen meanwhile unless pause=false.
    /// </summary>
    public async Task<Digest> CommitAsync(CommitRequest request, CancellationToken cancellationToken = default)
    {
        IImageCommitter committer = Committer ?? throw DaemonException.NotImplemented("commit is not configured");
        Entry entry = Find(request.Container);
        ContainerRecord record = entry.Record;
        if (record.State.Paused && !request.Pause)
        {
            // nothing to do: a paused container is already still
        }
        if (record.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
        {
            throw DaemonException.Conflict(Messages.RemovalInProgress(record.Id));
        }
        // Validated before anything is written: a bad change must not leave a layer behind.
        RunConfig config = ImportChanges.Apply(ToRunConfig(record.Config), request.Changes);
        string upper = _layers.ReadWriteDiffPath(record.Id);
        IContainerFileOps files = FileOps;
        IDisposable? frozen = null;
        // A container the user paused stays paused: freezing it again and thawing after would unpause it.
        if (request.Pause && record.State.Running && !record.State.Paused && Filesystem is { } fs)
        {
            frozen = await fs.FreezeAsync(record, cancellationToken).ConfigureAwait(false);
        }
        Digest id;
        try
        {
            id = await committer.CommitImageAsync(new CommitImageRequest(
                Digest.Parse(record.ImageId), stream => files.WriteLayer(upper, stream, cancellationToken), config, record.Id,
                request.Comment, request.Author, string.Join(' ', [record.Path, .. record.Args]), request.Repo, request.Tag), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            frozen?.Dispose();
        }
        string imageRef = Images.References.ImageTagRules.ValidateTagRequest(request.Repo, request.Tag)?.FamiliarString ?? "";
        Publish(record, "commit", new Dictionary<string, string>
        {
            ["comment"] = request.Comment ?? "",
            ["imageID"] = id.ToString(),
            ["imageRef"] = imageRef,
        });
        return id;
    }

    /// <summary>The container's Config as an image run config (what commit starts from).</summary>
    private static RunConfig ToRunConfig(ContainerSettings c) => new()
    {
        User = c.User,
        Env = c.Env?.ToList(),
        Cmd = c.Cmd?.ToList(),
        Entrypoint = c.Entrypoint?.ToList(),
        WorkingDir = c.WorkingDir,
        Labels = c.Labels.Count == 0 ? null : new SortedDictionary<string, string>(c.Labels.ToDictionary(), StringComparer.Ordinal),
        ExposedPorts = c.ExposedPorts is { Count: > 0 } ports ? new SortedSet<string>(ports, StringComparer.Ordinal) : null,
        Volumes = c.Volumes is { Count: > 0 } volumes ? new SortedSet<string>(volumes, StringComparer.Ordinal) : null,
        StopSignal = c.StopSignal,
        OnBuild = c.OnBuild?.ToList(),
        Shell = c.Shell?.ToList(),
        Healthcheck = c.Healthcheck is { } h ? new HealthConfig
        {
            Test = h.Test,
            Interval = h.Interval,
            Timeout = h.Timeout,
            StartPeriod = h.StartPeriod,
            StartInterval = h.StartInterval,
            Retries = h.Retries,
        } : null,
    };
}
