using System.Text;
using Berth.Engine.Distribution;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.UnitTests.Engine.Distribution;

public sealed class RegistryProtocolTests
{
    [Fact]
    public void Challenges_parse_like_docker_distribution()
    {
        var list = AuthChallenge.Parse(["Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:x/y:pull,push\",error=\"insufficient_scope\"", "Basic realm=\"Registry Realm\""]);
        Assert.Equal(2, list.Count);
        Assert.Equal("bearer", list[0].Scheme);
        Assert.Equal("https://auth.example/token", list[0].Get("realm"));
        Assert.Equal("repository:x/y:pull,push", list[0].Get("scope"));
        Assert.Equal("insufficient_scope", list[0].Get("error"));
        Assert.Equal("basic", list[1].Scheme);
        Assert.Equal("Registry Realm", list[1].Get("realm"));
    }

    [Fact]
    public void Registry_errors_read_as_go_prints_them()
    {
        var body = Encoding.UTF8.GetBytes("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"nope"}}]}""");
        var e = Assert.IsType<RegistryErrorException>(RegistryErrors.FromResponse(404, "Not Found", [], body));
        Assert.Equal("MANIFEST_UNKNOWN", e.Code);
        Assert.Equal("manifest unknown: manifest unknown", e.Message);

        var denied = RegistryErrors.FromResponse(401, "Unauthorized", AuthChallenge.Parse(["Bearer realm=\"r\",error=\"insufficient_scope\""]),
            Encoding.UTF8.GetBytes("""{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"""));
        Assert.Equal("denied: requested access to the resource is denied", denied.Message);

        var token = RegistryErrors.FromResponse(401, "Unauthorized", [], Encoding.UTF8.GetBytes("""{"details":"incorrect username or password"}"""));
        Assert.Equal("unauthorized: incorrect username or password", token.Message);
        Assert.Equal(ErrorKind.Unauthorized, token.Kind);

        Assert.Equal("unauthorized: authentication required", RegistryErrors.FromResponse(401, "Unauthorized", [], []).Message);
        Assert.IsType<RegistryHttpException>(RegistryErrors.FromResponse(502, "Bad Gateway", [], []));
    }

    [Fact]
    public void Auth_header_is_base64url_json_and_auth_field_splits()
    {
        var json = """{"username":"alice","password":"p+/w","serveraddress":"127.0.0.1:5000"}""";
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var auth = RegistryAuth.FromHeader(header);
        Assert.Equal("alice", auth.Username);
        Assert.Equal("p+/w", auth.Password);
        Assert.Equal("127.0.0.1:5000", auth.ServerAddress);

        var fromAuth = RegistryAuth.FromJson(Encoding.UTF8.GetBytes("""{"auth":"Ym9iOmJ1aWxkZXI=","IdentityToken":"tok"}"""));
        Assert.Equal("bob", fromAuth.Username);
        Assert.Equal("builder", fromAuth.Password);
        Assert.Equal("tok", fromAuth.IdentityToken);

        Assert.Same(RegistryAuth.Anonymous, RegistryAuth.FromHeader("!!not base64!!"));
        Assert.Same(RegistryAuth.Anonymous, RegistryAuth.FromHeader(""));
    }

    [Theory]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json", "{}", "application/vnd.docker.distribution.manifest.v2+json")]
    [InlineData("application/json", """{"schemaVersion":1,"fsLayers":[]}""", "application/vnd.docker.distribution.manifest.v1+json")]
    [InlineData("text/plain", """{"schemaVersion":2,"manifests":[]}""", "application/vnd.oci.image.index.v1+json")]
    [InlineData(null, """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{}}""", "application/vnd.oci.image.manifest.v1+json")]
    public void Manifest_type_comes_from_content_type_or_the_document(string? contentType, string body, string expected) =>
        Assert.Equal(expected, ManifestMediaTypes.Detect(contentType, Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Schema2_manifest_is_written_as_docker_distribution_does()
    {
        var config = Digest.Compute("c"u8);
        var layer = Digest.Compute("l"u8);
        var bytes = Schema2Manifest.Write(config, 10, [new BlobSource(layer, "r", "x/y", ManifestMediaTypes.DockerLayerGzip, 20)]);
        var expected = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n" +
            "   \"config\": {\n      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n      \"size\": 10,\n      \"digest\": \"" + config + "\"\n   },\n" +
            "   \"layers\": [\n      {\n         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n         \"size\": 20,\n         \"digest\": \"" + layer + "\"\n      }\n   ]\n}";
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Blob_sources_survive_a_restart_and_keep_the_newest_first()
    {
        var dir = Directory.CreateTempSubdirectory("berth-ut-blobs-").FullName;
        try
        {
            var file = Path.Combine(dir, "blobs.json");
            var diffId = Digest.Compute("d"u8);
            var a = new BlobSource(Digest.Compute("a"u8), "127.0.0.1:5000", "x/a", ManifestMediaTypes.DockerLayerGzip, 1);
            var b = a with { Blob = Digest.Compute("b"u8), Repository = "x/b" };
            var sources = new BlobSources(file);
            sources.Add(diffId, a);
            sources.Add(diffId, b);
            sources.Add(diffId, a);
            Assert.Equal([a, b], new BlobSources(file).Get(diffId));
            File.WriteAllText(file, "{broken");
            Assert.Empty(new BlobSources(file).Get(diffId));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
