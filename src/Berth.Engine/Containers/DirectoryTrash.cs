namespace Berth.Engine.Containers;

/// <summary>
/// Removal of a container's directory off the request's path: one rename makes it vanish at
/// once (atomic, so a crash leaves either the directory or a trash entry), the recursive delete
/// runs in the background. Trash a crash left behind is swept at the next start.
/// </summary>
internal static class DirectoryTrash
{
    private const string Prefix = ".trash-";

    public static void MoveAsideAndDelete(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }
        string parent = Path.GetDirectoryName(dir)!;
        string trash = Path.Combine(parent, Prefix + Path.GetFileName(dir) + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(dir, trash);
        _ = Task.Run(() => TryDelete(trash));
    }

    /// <summary>Start-up: deletes what an interrupted background delete left in <paramref name="parent"/>.</summary>
    public static void Sweep(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }
        foreach (string dir in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            TryDelete(dir);
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the next start's sweep tries again
        }
    }
}
