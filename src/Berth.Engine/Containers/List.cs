using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    public IReadOnlyList<ContainerSummary> List(ContainerListOptions options)
    {
        var ancestors = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in options.Filters.Values("ancestor"))
        {
            try
            {
                ancestors.Add(_images.Inspect(value).Id.ToString());
            }
            catch (DaemonException e) when (e.Kind == ErrorKind.NotFound)
            {
                // dockerd ignores ancestors that do not resolve to an image
            }
        }
        var filter = new ContainerFilter(options.Filters, ancestors, CreatedOf(options.Filters, "before"), CreatedOf(options.Filters, "since"));
        var snapshot = Snapshot().Select(e => e.Record).ToList();
        var list = new List<ContainerSummary>();
        foreach (var record in filter.Apply(snapshot, options.All, options.Limit))
        {
            long? sizeRw = options.Size ? DirectorySize(SafeDiffPath(record.Id)) : null;
            list.Add(new ContainerSummary(record, DisplayImage(record), CommandText(record), sizeRw, options.Size ? sizeRw : null) { Ports = PortMapOf(record) });
        }
        return list;
    }

    private DateTimeOffset? CreatedOf(Filters.FilterArgs filters, string key)
    {
        DateTimeOffset? result = null;
        foreach (string value in filters.Values(key))
        {
            result = Find(value).Record.Created;
        }
        return result;
    }

    /// <summary>The image column: the name the container was created with while it still means the same image, else the id.</summary>
    private string DisplayImage(ContainerRecord record)
    {
        try
        {
            if (record.Config.Image.Length > 0 && _images.Inspect(record.Config.Image).Id.ToString() == record.ImageId)
            {
                return record.Config.Image;
            }
        }
        catch (DaemonException)
        {
            // the reference moved or is gone
        }
        return record.ImageId;
    }

    /// <summary>dockerd's COMMAND column: path and args, args with spaces single-quoted.</summary>
    public static string CommandText(ContainerRecord record) =>
        record.Args.Count == 0
            ? record.Path
            : record.Path + " " + string.Join(' ', record.Args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));

    private string? SafeDiffPath(string id)
    {
        try
        {
            return _layers.ReadWriteDiffPath(id);
        }
        catch (DaemonException)
        {
            return null;
        }
    }

    private static long DirectorySize(string? path)
    {
        if (path is null || !Directory.Exists(path))
        {
            return 0;
        }
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", options))
        {
            if (!file.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                total += file.Length;
            }
        }
        return total;
    }
}
