using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Berth.Engine.Images;
using Berth.Storage.Layers;

namespace Berth.UnitTests.Storage.Layers;

/// <summary>Builds layer tars in memory and extracts them into a throw-away directory.</summary>
internal sealed class LayerTestKit : IDisposable
{
    public LayerTestKit()
    {
        Root = Path.Combine(Path.GetTempPath(), "berth-layer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Diff);
    }

    public string Root { get; }
    public string Diff => Path.Combine(Root, "diff");
    public string TarSplit => Path.Combine(Root, "tar-split.gz");
    public string Shadow => Path.Combine(Root, "shadow");

    public ExtractionResult Extract(byte[] layer, ExtractionLimits? limits = null) =>
        LayerExtractor.Extract(new MemoryStream(layer), Diff, TarSplit, Shadow, limits ?? ExtractionLimits.Default, CancellationToken.None);

    public byte[] Replay()
    {
        using var reader = new TarSplitReader(TarSplit, Diff, Shadow);
        using var copy = new MemoryStream();
        reader.CopyTo(copy);
        return copy.ToArray();
    }

    public string P(string relative) => Path.Combine(Diff, relative);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    public static byte[] Tar(Action<TarWriter> write, TarEntryFormat format = TarEntryFormat.Pax)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, format, leaveOpen: true))
        {
            write(writer);
        }
        return stream.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    public static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    public static Digest Sha(byte[] data) => Digest.FromHash(SHA256.HashData(data));

    public static PaxTarEntry File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0,
        IEnumerable<KeyValuePair<string, string>>? pax = null)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name, pax ?? [])
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
            Mode = (UnixFileMode)mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };
        return entry;
    }

    public static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name, byte[]? data = null)
    {
        if (format == TarEntryFormat.V7 && type == TarEntryType.RegularFile)
        {
            type = TarEntryType.V7RegularFile;
        }
        TarEntry entry = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => new V7TarEntry(type, name),
        };
        if (data is not null)
        {
            entry.DataStream = new MemoryStream(data);
        }
        return entry;
    }

    public static PaxTarEntry Dir(string name, int mode = 0x1ED) =>
        new(TarEntryType.Directory, name) { Mode = (UnixFileMode)mode, ModificationTime = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero) };

    public static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };
}
