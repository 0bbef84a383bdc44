using System.Formats.Tar;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.HarnessChecks;

public sealed class TestImagesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("berth-it-rootfs-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void BusyboxRootfsTar_HasBinaryAppletsUsersAndDirectories()
    {
        string tarPath = TestImages.BusyboxRootfsTar(Path.Combine(_dir.FullName, "rootfs.tar"));

        var entries = new Dictionary<string, (TarEntryType Type, UnixFileMode Mode, string Link, long Length, string Text)>();
        using (var reader = new TarReader(File.OpenRead(tarPath)))
        {
            while (reader.GetNextEntry() is { } e)
            {
                string text = "";
                if (e.DataStream is not null && e.Name.StartsWith("etc/", StringComparison.Ordinal))
                {
                    text = new StreamReader(e.DataStream).ReadToEnd();
                }
                entries[e.Name] = (e.EntryType, e.Mode, e.LinkName, e.Length, text);
                Assert.Equal(0, e.Uid);
                Assert.Equal(0, e.Gid);
            }
        }

        var busybox = entries["bin/busybox"];
        Assert.Equal(TarEntryType.RegularFile, busybox.Type);
        Assert.Equal(new FileInfo(TestImages.BusyboxSource).Length, busybox.Length);
        Assert.True(busybox.Mode.HasFlag(UnixFileMode.UserExecute));
        foreach (var applet in new[] { "sh", "echo", "cat", "sleep", "true", "ls" })
        {
            var link = entries["bin/" + applet];
            Assert.Equal(TarEntryType.SymbolicLink, link.Type);
            Assert.Equal("busybox", link.Link);
        }
        foreach (var dir in new[] { "tmp/", "proc/", "sys/", "dev/", "etc/", "root/" })
        {
            Assert.Equal(TarEntryType.Directory, entries[dir].Type);
        }
        Assert.True(entries["tmp/"].Mode.HasFlag(UnixFileMode.StickyBit | UnixFileMode.OtherWrite));
        Assert.Contains("root:x:0:0:", entries["etc/passwd"].Text, StringComparison.Ordinal);
        Assert.Contains("nobody:x:65534:65534:", entries["etc/passwd"].Text, StringComparison.Ordinal);
        Assert.Contains("root:x:0:", entries["etc/group"].Text, StringComparison.Ordinal);
        Assert.Contains("nobody:x:65534:", entries["etc/group"].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BusyboxRootfsTar_ExtractedShellRuns()
    {
        string tarPath = TestImages.BusyboxRootfsTar(Path.Combine(_dir.FullName, "rootfs.tar"));
        string root = Directory.CreateDirectory(Path.Combine(_dir.FullName, "rootfs")).FullName;
        await TarFile.ExtractToDirectoryAsync(tarPath, root, overwriteFiles: false);

        var r = await ProcessRunner.RunAsync(Path.Combine(root, "bin", "sh"), ["-c", "echo hello from $(cat /proc/self/comm)"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("hello from", r.Stdout, StringComparison.Ordinal);
    }
}
