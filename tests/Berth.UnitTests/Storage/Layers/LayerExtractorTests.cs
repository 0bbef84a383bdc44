using System.Formats.Tar;
using Berth.Linux;
using Berth.Storage.Layers;
using static Berth.UnitTests.Storage.Layers.LayerTestKit;

namespace Berth.UnitTests.Storage.Layers;

public sealed class LayerExtractorTests : IDisposable
{
    private readonly LayerTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void Extract_PreservesMetadataAndRebuildsTheSameTar()
    {
        var tar = Tar(w =>
        {
            w.WriteEntry(Dir("etc/", 0x1ED));
            w.WriteEntry(File("etc/passwd", "root:x:0:0\n", 0x1A4, 0, 0));
            w.WriteEntry(File("bin/ping", "ELF", 0x9ED, 1000, 1001, [new("SCHILY.xattr.user.comment", "hi"), new("mtime", "1600000000.123456789")]));
            var link = Link(TarEntryType.HardLink, "bin/ping2", "bin/ping");
            (link.Mode, link.Uid, link.Gid, link.ModificationTime) = ((UnixFileMode)0x9ED, 1000, 1001, DateTimeOffset.FromUnixTimeSeconds(1600000000));
            w.WriteEntry(link);
            w.WriteEntry(Link(TarEntryType.SymbolicLink, "bin/sh", "/bin/busybox"));
            w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0x1B6 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "run/fifo") { Mode = (UnixFileMode)0x180 });
            w.WriteEntry(File(new string('l', 150) + "/" + new string('n', 120), "long"));
            w.WriteEntry(File("empty", ""));
            w.WriteEntry(File("sticky", "x", 0xBFF));
            var precise = File("precise", "", pax: [new("atime", "1700000000.5")]);
            precise.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1600000000).AddTicks(1234567);
            w.WriteEntry(precise);
        });

        var result = _kit.Extract(tar);

        Assert.Equal(Sha(tar), result.DiffId);
        Assert.Equal(11 + 3 + 4 + 1, result.Size);
        var passwd = FileSys.Lstat(_kit.P("etc/passwd"));
        Assert.Equal(0x81A4u, passwd.Mode);
        var ping = FileSys.Lstat(_kit.P("bin/ping"));
        Assert.Equal(FileSys.S_IFREG | 0x9ED, ping.Mode);
        Assert.Equal((1000u, 1001u), (ping.Uid, ping.Gid));
        Assert.Equal(1600000000L, ping.MtimeSeconds);
        var precise = FileSys.Lstat(_kit.P("precise"));
        Assert.Equal((1600000000L, 123456700u), (precise.MtimeSeconds, precise.MtimeNanoseconds));
        Assert.Equal((1700000000L, 500000000u), (precise.AtimeSeconds, precise.AtimeNanoseconds));
        Assert.Equal("hi"u8.ToArray(), FileSys.Lgetxattr(_kit.P("bin/ping"), "user.comment"));
        Assert.Equal(ping.Inode, FileSys.Lstat(_kit.P("bin/ping2")).Inode);
        Assert.Equal(2u, ping.Links);
        Assert.Equal("/bin/busybox", new FileInfo(_kit.P("bin/sh")).LinkTarget);
        var nul = FileSys.Lstat(_kit.P("dev/null"));
        Assert.Equal((FileSys.S_IFCHR | 0x1B6, 1u, 3u), (nul.Mode, nul.RdevMajor, nul.RdevMinor));
        Assert.Equal(FileSys.S_IFIFO | 0x180, FileSys.Lstat(_kit.P("run/fifo")).Mode);
        Assert.Equal("long", System.IO.File.ReadAllText(_kit.P(new string('l', 150) + "/" + new string('n', 120))));
        Assert.Equal(0L, new FileInfo(_kit.P("empty")).Length);
        Assert.Equal(FileSys.S_IFREG | 0xBFF, FileSys.Lstat(_kit.P("sticky")).Mode);
        Assert.Equal(2021, Directory.GetLastWriteTimeUtc(_kit.P("etc")).Year);

        Assert.Equal(tar, _kit.Replay());
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.V7)]
    public void Replay_IsByteForByte_ForEveryFormat(TarEntryFormat format)
    {
        var tar = Tar(w =>
        {
            w.WriteEntry(Entry(format, TarEntryType.Directory, "a/"));
            w.WriteEntry(Entry(format, TarEntryType.RegularFile, "a/file", new byte[1000]));
            w.WriteEntry(Entry(format, TarEntryType.RegularFile, "a/.wh.gone"));
            w.WriteEntry(Entry(format, TarEntryType.RegularFile, "a/.wh..wh..opq"));
        }, format);
        tar = [.. tar, .. new byte[2048]]; // extra zero blocks after the end marker still count

        var result = _kit.Extract(tar);

        Assert.Equal(Sha(tar), result.DiffId);
        Assert.Equal(tar, _kit.Replay());
        var gone = FileSys.Lstat(_kit.P("a/gone"));
        Assert.Equal((FileSys.S_IFCHR, 0u, 0u), (gone.Type, gone.RdevMajor, gone.RdevMinor));
        Assert.Equal("y"u8.ToArray(), FileSys.Lgetxattr(_kit.P("a"), "trusted.overlay.opaque"));
        Assert.False(System.IO.File.Exists(_kit.P("a/.wh.gone")));
        Assert.False(System.IO.File.Exists(_kit.P("a/.wh..wh..opq")));
    }

    [Fact]
    public void Extract_GzipAndZstd_HashTheUncompressedTar()
    {
        var tar = Tar(w => w.WriteEntry(File("f", "hello")));
        using (var gz = new LayerTestKit())
        {
            Assert.Equal(Sha(tar), gz.Extract(Gzip(tar)).DiffId);
            Assert.Equal(tar, gz.Replay());
        }
        Assert.Equal(Sha(tar), _kit.Extract(Zstd(tar)).DiffId);
        Assert.Equal(tar, _kit.Replay());
        Assert.Equal(Sha(tar), LayerExtractor.ComputeDiffId(new MemoryStream(Zstd(tar)), long.MaxValue, CancellationToken.None));
    }

    [Fact]
    public void Extract_ReplacedFile_StillReplays()
    {
        var tar = Tar(w =>
        {
            w.WriteEntry(File("dup", "first version"));
            w.WriteEntry(File("dir/inner", "inner"));
            w.WriteEntry(File("dup", "second"));
            w.WriteEntry(File("dir", "now a file"));
        });

        _kit.Extract(tar);

        Assert.Equal("second", System.IO.File.ReadAllText(_kit.P("dup")));
        Assert.Equal("now a file", System.IO.File.ReadAllText(_kit.P("dir")));
        Assert.Equal(tar, _kit.Replay());
    }

    [Fact]
    public void Extract_BinaryXattr_IsKeptExactly()
    {
        // A PAX record value that is not UTF-8: written by hand, since TarWriter takes strings.
        var value = new byte[] { 0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80 };
        var tar = RawPaxTar("f", "SCHILY.xattr.trusted.bin", value, "content");

        _kit.Extract(tar);

        Assert.Equal(value, FileSys.Lgetxattr(_kit.P("f"), "trusted.bin"));
        Assert.Equal(tar, _kit.Replay());
    }

    /// <summary>A minimal PAX tar: 'x' header with one record, then a ustar file header and content.</summary>
    internal static byte[] RawPaxTar(string name, string key, byte[] value, string content)
    {
        var keyBytes = System.Text.Encoding.UTF8.GetBytes(key);
        int bodyLength = 1 + keyBytes.Length + 1 + value.Length + 1;
        int length = bodyLength + 3;
        length = bodyLength + length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        var record = new List<byte>();
        record.AddRange(System.Text.Encoding.ASCII.GetBytes(length + " "));
        record.AddRange(keyBytes);
        record.Add((byte)'=');
        record.AddRange(value);
        record.Add((byte)'\n');
        var output = new List<byte>();
        output.AddRange(Header("PaxHeaders/" + name, 'x', record.Count));
        output.AddRange(Pad([.. record]));
        var data = System.Text.Encoding.UTF8.GetBytes(content);
        output.AddRange(Header(name, '0', data.Length));
        output.AddRange(Pad(data));
        output.AddRange(new byte[1024]);
        return [.. output];
    }

    internal static byte[] Pad(byte[] data) => [.. data, .. new byte[(512 - data.Length % 512) % 512]];

    internal static byte[] Header(string name, char type, long size)
    {
        var h = new byte[512];
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        System.Text.Encoding.ASCII.GetBytes("0000644\0").CopyTo(h, 100);
        System.Text.Encoding.ASCII.GetBytes("0000000\0").CopyTo(h, 108);
        System.Text.Encoding.ASCII.GetBytes("0000000\0").CopyTo(h, 116);
        if (size < 1L << 33)
        {
            System.Text.Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(h, 124);
        }
        else
        {
            h[124] = 0x80; // GNU base-256 for sizes past 8 GiB
            for (int i = 0; i < 8; i++)
            {
                h[135 - i] = (byte)(size >> (8 * i));
            }
        }
        System.Text.Encoding.ASCII.GetBytes("14000000000\0").CopyTo(h, 136);
        h[156] = (byte)type;
        System.Text.Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(h, 257);
        for (int i = 148; i < 156; i++)
        {
            h[i] = (byte)' ';
        }
        int sum = h.Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
    }
}
