namespace Berth.UnitTests.Runtime.Cgroups;

/// <summary>A cgroupfs-shaped tree of plain files in a temp dir (removed on dispose).</summary>
internal sealed class FakeCgroupTree : IDisposable
{
    public FakeCgroupTree()
    {
        Root = Directory.CreateTempSubdirectory("berth-cgfake-").FullName;
    }

    public string Root { get; }

    public string Write(string relative, string content)
    {
        string path = Path.Combine(Root, relative.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative.TrimStart('/')));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
