using Berth.Engine.Containers;

namespace Berth.Storage.ContainerFs;

/// <summary><see cref="IContainerFileOps"/> on descriptors (see <see cref="FdTree"/>).</summary>
public sealed class ContainerFileOps : IContainerFileOps
{
    public void CopyImageContent(int rootFd, string containerPath, string volumeDir) => TreeCopy.CopyIntoEmpty(rootFd, containerPath, volumeDir);

    public PathStat Stat(int rootFd, string path) => ContainerArchive.Stat(rootFd, path);

    public void WriteArchive(int rootFd, string path, Stream output, CancellationToken cancellationToken) =>
        ContainerArchive.Write(rootFd, path, output, cancellationToken);

    public string ResolveDirectory(int rootFd, string directory)
    {
        string resolved = InScopePath.Resolve(rootFd, "/" + directory, followFinal: true);
        var st = ContainerArchive.LstatInRoot(rootFd, resolved) ?? throw new FileNotFoundException(directory);
        return st.Type == Linux.FileSys.S_IFDIR ? resolved : throw ContainerArchive.NotADirectory();
    }

    public void Extract(int rootFd, string directory, Stream tar, ExtractOptions options, CancellationToken cancellationToken) =>
        new ContainerExtract(rootFd, directory, options).Run(tar, cancellationToken);

    public IReadOnlyList<FileChange> Changes(string upperDir, IReadOnlyList<string> lowerDirs) => UpperDir.Changes(upperDir, lowerDirs);

    public void WriteLayer(string upperDir, Stream output, CancellationToken cancellationToken) => UpperDir.WriteLayer(upperDir, output, cancellationToken);
}
