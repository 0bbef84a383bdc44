using System.Security.Cryptography;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;

namespace Berth.Storage.Layers;

/// <summary>Directory life cycle: start-up scan, temp dirs, commit by rename, removal; read-write layers.</summary>
public sealed partial class OverlayLayerStore
{
    public void CreateReadWrite(string id, Digest? parentChainId)
    {
        if (!ReadWriteIdPattern().IsMatch(id) || id == "l" || id.StartsWith("tmp-", StringComparison.Ordinal))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidReadWriteLayerId(id));
        }
        if (parentChainId is { } p && Get(p) is null)
        {
            throw DaemonException.NotFound(Messages.LayerNotFound(p));
        }
        lock (_lock)
        {
            if (_readWrite.ContainsKey(id) || Directory.Exists(Path.Combine(Root, id)))
            {
                throw DaemonException.Conflict(Messages.ReadWriteLayerExists(id));
            }
            var temp = NewTempDir();
            try
            {
                Directory.CreateDirectory(Path.Combine(temp, "diff"), PublicDir);
                Directory.CreateDirectory(Path.Combine(temp, "work"), PrivateDir);
                var meta = new LayerMetadata(id, LayerMetadata.NewShortId(), null, null, parentChainId, 0);
                if (parentChainId is not null)
                {
                    // overlay2's lower file, for tools that read it; the mount is built from the chain.
                    File.WriteAllText(Path.Combine(temp, "lower"), string.Join(':', LowerChain(parentChainId).Select(s => "l/" + s)));
                }
                // No directory fsyncs here: the container row is committed (fsync) right after, and a
                // journaling file system commits these earlier directory operations with it.
                CommitDirectory(temp, meta, LayerMetadata.ReadWriteFile, durable: false);
                _readWrite[id] = meta;
            }
            finally
            {
                DiscardTemp(temp);
            }
        }
    }

    public MountSpec ReadWriteMount(string id, string target)
    {
        var meta = RequireReadWrite(id);
        var dir = Path.Combine(Root, id);
        if (meta.ParentChainId is null)
        {
            // Nothing below: overlay2 uses the diff directory as is; a bind mount does that at a target.
            return new MountSpec("bind", Path.Combine(dir, "diff"), target, ["bind"]);
        }
        var lowers = LowerChain(meta.ParentChainId).Select(s => Path.Combine(LinkDir, s));
        return new MountSpec("overlay", "overlay", target,
        [
            "index=off",
            "lowerdir=" + string.Join(':', lowers),
            "upperdir=" + Path.Combine(dir, "diff"),
            "workdir=" + Path.Combine(dir, "work"),
        ]);
    }

    public string ReadWriteDiffPath(string id) => Path.Combine(Root, RequireReadWrite(id).CacheId, "diff");

    public void RemoveReadWrite(string id)
    {
        LayerMetadata? meta;
        lock (_lock)
        {
            if (!_readWrite.Remove(id, out meta))
            {
                throw DaemonException.NotFound(Messages.ReadWriteLayerNotFound(id));
            }
        }
        RemoveLayerDirectory(meta, inBackground: true);
    }

    /// <summary>Short ids from the given layer down to the base: overlay's lowerdir order, top first.</summary>
    private List<string> LowerChain(Digest? top)
    {
        var shorts = new List<string>();
        lock (_lock)
        {
            for (Digest? c = top; c is { } chain;)
            {
                var meta = _layers.TryGetValue(chain, out var m) ? m : throw DaemonException.NotFound(Messages.LayerNotFound(chain));
                shorts.Add(meta.ShortId);
                c = meta.ParentChainId;
            }
        }
        return shorts;
    }

    private LayerMetadata RequireReadWrite(string id)
    {
        lock (_lock)
        {
            return _readWrite.TryGetValue(id, out var meta) ? meta : throw DaemonException.NotFound(Messages.ReadWriteLayerNotFound(id));
        }
    }

    private void Load()
    {
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            if (name == "l")
            {
                continue;
            }
            if (name.StartsWith("tmp-", StringComparison.Ordinal))
            {
                Directory.Delete(dir, recursive: true); // an apply or removal that did not finish
                continue;
            }
            if (LayerMetadata.TryRead(Path.Combine(dir, LayerMetadata.ImageFile)) is { ChainId: { } chain, DiffId: not null } image && image.CacheId == name)
            {
                _layers[chain] = image;
            }
            else if (LayerMetadata.TryRead(Path.Combine(dir, LayerMetadata.ReadWriteFile)) is { } rw && rw.CacheId == name)
            {
                _readWrite[name] = rw;
            }
        }
        // Links whose layer is gone (a crash between unlinking and deleting, or the reverse).
        foreach (var link in new DirectoryInfo(LinkDir).EnumerateFileSystemInfos())
        {
            if (!Directory.Exists(link.FullName))
            {
                link.Delete();
            }
        }
    }

    private string NewTempDir()
    {
        var temp = Path.Combine(Root, "tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        _activeTemp[temp] = 0;
        Directory.CreateDirectory(temp, PrivateDir);
        return temp;
    }

    private void DiscardTemp(string temp)
    {
        try
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
        finally
        {
            _activeTemp.TryRemove(temp, out _);
        }
    }

    /// <summary>Metadata and short link first, then one rename publishes the whole layer.</summary>
    private void CommitDirectory(string temp, LayerMetadata meta, string metadataFile, bool durable = true)
    {
        File.WriteAllText(Path.Combine(temp, "link"), meta.ShortId);
        meta.Write(Path.Combine(temp, metadataFile));
        if (durable)
        {
            FileSys.FsyncDirectory(temp);
        }
        var link = Path.Combine(LinkDir, meta.ShortId);
        File.CreateSymbolicLink(link, Path.Combine("..", meta.CacheId, "diff"));
        try
        {
            Directory.Move(temp, Path.Combine(Root, meta.CacheId));
        }
        catch
        {
            File.Delete(link);
            throw;
        }
        if (durable)
        {
            FileSys.FsyncDirectory(Root);
        }
    }

    /// <summary>
    /// Unlink, then rename away (the layer vanishes atomically), then delete at leisure; with
    /// <paramref name="inBackground"/> the delete runs after the call returns (container removal
    /// does not wait for it; start-up removes a tmp-* a crash left).
    /// </summary>
    private void RemoveLayerDirectory(LayerMetadata meta, bool inBackground = false)
    {
        File.Delete(Path.Combine(LinkDir, meta.ShortId));
        var dir = Path.Combine(Root, meta.CacheId);
        if (!Directory.Exists(dir))
        {
            return;
        }
        var doomed = Path.Combine(Root, "tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        Directory.Move(dir, doomed);
        if (!inBackground)
        {
            Directory.Delete(doomed, recursive: true);
            return;
        }
        _activeTemp[doomed] = 0; // garbage collection leaves it to us
        _ = Task.Run(() =>
        {
            try
            {
                Directory.Delete(doomed, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // left for the next start's tmp-* sweep
            }
            finally
            {
                _activeTemp.TryRemove(doomed, out _);
            }
        });
    }
}
