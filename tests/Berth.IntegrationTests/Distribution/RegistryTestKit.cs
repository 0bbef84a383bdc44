using System.Net.Http;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Distribution;

/// <summary>Shared steps of the registry tests: local images to push and raw registry access.</summary>
internal static class RegistryTestKit
{
    /// <summary>Imports the busybox rootfs as <paramref name="tag"/> (optionally for another platform); returns the image id.</summary>
    public static async Task<string> ImportBusyboxAsync(DockerCli docker, string scratch, string tag, string? platform = null)
    {
        var tar = Path.Combine(scratch, $"rootfs-{Guid.NewGuid():N}.tar");
        TestImages.BusyboxRootfsTar(tar);
        var args = new List<string> { "import" };
        if (platform is not null)
        {
            args.AddRange(["--platform", platform]);
        }
        args.AddRange([tar, tag]);
        return (await docker.RunOkAsync([.. args])).Trim();
    }

    /// <summary>Imports a one-layer image holding <paramref name="bytes"/> of random data: a layer no other test shares.</summary>
    public static async Task<string> ImportRandomAsync(DockerCli docker, string scratch, string tag, int bytes = 4 << 20)
    {
        var tar = Path.Combine(scratch, $"random-{Guid.NewGuid():N}.tar");
        await using (var file = File.Create(tar))
        using (var writer = new System.Formats.Tar.TarWriter(file, System.Formats.Tar.TarEntryFormat.Pax))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "data.bin")
            {
                DataStream = new MemoryStream(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes)),
            };
            writer.WriteEntry(entry);
        }
        return (await docker.RunOkAsync("import", tar, tag)).Trim();
    }

    public static async Task<string> ImageIdAsync(DockerCli docker, string reference) =>
        (await docker.RunOkAsync("image", "inspect", "--format", "{{.Id}}", reference)).Trim();

    /// <summary>The "tag: digest: sha256:… size: N" line of docker push output.</summary>
    public static string PushedDigest(string pushOutput)
    {
        var line = pushOutput.Split('\n').Single(l => l.Contains(": digest: sha256:", StringComparison.Ordinal));
        return line[(line.IndexOf("sha256:", StringComparison.Ordinal))..].Split(' ')[0];
    }

    /// <summary>Raw GET of a manifest from the registry: its bytes and media type.</summary>
    public static async Task<(byte[] Bytes, string MediaType)> GetManifestAsync(string registryHost, string repository, string reference)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registryHost}/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType ?? "");
    }

    public static async Task PutManifestAsync(string registryHost, string repository, string reference, byte[] body, string mediaType)
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        using var response = await http.PutAsync($"http://{registryHost}/v2/{repository}/manifests/{reference}", content);
        Assert.True(response.IsSuccessStatusCode, $"PUT manifest: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The blob digests (config first, then layers) a manifest names.</summary>
    public static IReadOnlyList<string> BlobsOf(byte[] manifest)
    {
        using var doc = JsonDocument.Parse(manifest);
        var list = new List<string> { doc.RootElement.GetProperty("config").GetProperty("digest").GetString()! };
        list.AddRange(doc.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!));
        return list;
    }

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>Layer directories of a daemon's store (committed layers; tmp-* are unfinished ones).</summary>
    public static IReadOnlyList<string> LayerDirs(BerthDaemon daemon)
    {
        var root = Path.Combine(daemon.DataRoot, "overlay");
        return Directory.Exists(root) ? [.. Directory.EnumerateDirectories(root).Select(Path.GetFileName).Where(n => n != "l").Order()!] : [];
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
