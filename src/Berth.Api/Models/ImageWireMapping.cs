using Berth.Api.Http;
using Berth.Engine.Images;

namespace Berth.Api.Models;

/// <summary>Engine image models to their wire shapes, with the API-version gates dockerd applies.</summary>
public static class ImageWireMapping
{
    private static readonly ApiVersion V144 = new(1, 44);

    public static ImageSummaryWire ToWire(ImageSummary s, ApiVersion version) =>
        new(s.Containers, s.Created, s.Id.ToString(), s.Labels, s.ParentId, s.RepoDigests, s.RepoTags, s.SharedSize, s.Size)
        {
            VirtualSize = version < V144 ? s.Size : null,
        };

    public static ImageInspectWire ToWire(ImageDetails d, ApiVersion version)
    {
        var c = d.Config;
        string comment = c.Comment ?? "";
        if (comment.Length == 0 && c.History is { Count: > 0 } history)
        {
            comment = history[^1].Comment ?? "";
        }
        string? created = c.Created is { } t ? GoTime.FormatRfc3339Nano(t) : null;
        if (created is null && version < V144)
        {
            // moby#47368: older clients expect Go's zero time rather than no field.
            created = "0001-01-01T00:00:00Z";
        }
        return new ImageInspectWire
        {
            Id = d.Id.ToString(),
            RepoTags = d.RepoTags,
            RepoDigests = d.RepoDigests,
            Parent = c.Parent ?? "",
            Comment = comment,
            Created = created,
            Container = string.IsNullOrEmpty(c.Container) ? null : c.Container,
            ContainerConfig = c.ContainerConfig is null ? null : ToWire(c.ContainerConfig),
            DockerVersion = c.DockerVersion ?? "",
            Author = c.Author ?? "",
            Config = c.Config is null ? null : ToWire(c.Config),
            Architecture = c.Architecture ?? "",
            Variant = string.IsNullOrEmpty(c.Variant) ? null : c.Variant,
            Os = string.IsNullOrEmpty(c.Os) ? "linux" : c.Os,
            OsVersion = string.IsNullOrEmpty(c.OsVersion) ? null : c.OsVersion,
            Size = d.Size,
            VirtualSize = version < V144 ? d.Size : null,
            GraphDriver = new GraphDriverWire(GraphDriverData(d.Layers), "overlay2"),
            RootFS = new RootFsWire(c.RootFs?.Type ?? "layers", c.RootFs?.DiffIds is { Count: > 0 } ids ? ids : null),
            Metadata = new ImageMetadataWire(d.LastTagTime is { } tagged ? GoTime.FormatRfc3339Nano(tagged) : "0001-01-01T00:00:00Z"),
        };
    }

    /// <summary>
    /// overlay2's GetMetadata for an image: its top layer is the upper dir, the layers below it
    /// (nearest first) the lower dirs; merged and work sit beside the top layer's diff.
    /// </summary>
    internal static Dictionary<string, string>? GraphDriverData(IReadOnlyList<LayerInfo> layers)
    {
        if (layers.Count == 0)
        {
            return null;
        }
        string upper = layers[^1].DiffPath;
        string layerDir = Path.GetDirectoryName(upper) ?? upper;
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (layers.Count > 1)
        {
            data["LowerDir"] = string.Join(':', layers.Take(layers.Count - 1).Reverse().Select(l => l.DiffPath));
        }
        data["MergedDir"] = Path.Combine(layerDir, "merged");
        data["UpperDir"] = upper;
        data["WorkDir"] = Path.Combine(layerDir, "work");
        return data;
    }

    public static ContainerConfigWire ToWire(ContainerConfig c) => new()
    {
        Hostname = c.Hostname ?? "",
        Domainname = c.Domainname ?? "",
        User = c.User ?? "",
        AttachStdin = c.AttachStdin ?? false,
        AttachStdout = c.AttachStdout ?? false,
        AttachStderr = c.AttachStderr ?? false,
        ExposedPorts = c.ExposedPorts is { Count: > 0 } ports ? ports : null,
        Tty = c.Tty ?? false,
        OpenStdin = c.OpenStdin ?? false,
        StdinOnce = c.StdinOnce ?? false,
        Env = c.Env,
        Cmd = c.Cmd,
        Healthcheck = c.Healthcheck is { } h ? new HealthConfigWire
        {
            Test = h.Test,
            Interval = h.Interval is > 0 ? h.Interval : null,
            Timeout = h.Timeout is > 0 ? h.Timeout : null,
            StartPeriod = h.StartPeriod is > 0 ? h.StartPeriod : null,
            StartInterval = h.StartInterval is > 0 ? h.StartInterval : null,
            Retries = h.Retries is > 0 ? h.Retries : null,
        } : null,
        ArgsEscaped = c.ArgsEscaped == true ? true : null,
        Image = c.Image ?? "",
        Volumes = c.Volumes,
        WorkingDir = c.WorkingDir ?? "",
        Entrypoint = c.Entrypoint,
        OnBuild = c.OnBuild,
        Labels = c.Labels,
        StopSignal = string.IsNullOrEmpty(c.StopSignal) ? null : c.StopSignal,
        Shell = c.Shell is { Count: > 0 } shell ? shell : null,
    };

    public static HistoryItemWire ToWire(ImageHistoryItem h) => new(h.Id, h.Created, h.CreatedBy, h.Tags, h.Size, h.Comment);

    public static ImageDeleteItemWire ToWire(ImageDeleteItem d) => new(d.Untagged, d.Deleted);
}
