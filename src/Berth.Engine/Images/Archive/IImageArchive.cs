namespace Berth.Engine.Images.Archive;

/// <summary>What POST /images/load reports while it runs: a message line, or a layer's progress.</summary>
/// <param name="Message">A line for the client ("Loaded image: busybox:latest"), without newline.</param>
/// <param name="LayerId">12-hex short DiffID of the layer being loaded (progress only).</param>
public sealed record LoadReport(string? Message, string? LayerId = null, long Current = 0, long Total = 0)
{
    public static LoadReport Line(string message) => new(message);
}

/// <summary>docker save / docker load (moby image/tarexport) over the local image store.</summary>
public interface IImageArchive
{
    /// <summary>
    /// Writes a docker-archive (with the Docker 25+ OCI layout inside) of the named images.
    /// Names are resolved and layers measured before <paramref name="start"/> is called, so a bad
    /// name is still a plain error; <paramref name="start"/> returns the stream to write to.
    /// </summary>
    Task SaveAsync(IReadOnlyList<string> names, Func<CancellationToken, Task<Stream>> start, CancellationToken cancellationToken);

    /// <summary>
    /// Loads a docker-archive or OCI layout tar (plain, gzip or zstd). All or nothing: on any error
    /// no image, tag, blob or layer it created remains. Reports lines and (when
    /// <paramref name="progress"/>) layer progress through <paramref name="report"/>.
    /// </summary>
    Task LoadAsync(Stream archive, bool progress, Func<LoadReport, CancellationToken, Task> report, CancellationToken cancellationToken);
}
