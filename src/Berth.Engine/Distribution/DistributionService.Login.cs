using System.Net;
using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.Archive;
using Berth.Engine.Images.References;

namespace Berth.Engine.Distribution;

/// <summary>GET /distribution/{name}/json: the descriptor a reference resolves to and the platforms it offers.</summary>
public sealed record RemoteImage(string MediaType, Digest Digest, long Size, IReadOnlyList<OciPlatform> Platforms);

/// <summary>One GET /images/search result (registry v1 search API).</summary>
public sealed record SearchResult(string Name, string Description, bool IsOfficial, bool IsAutomated, int StarCount);

public sealed partial class DistributionService
{
    /// <summary>
    /// moby registry Service.Auth / loginV2: ping the registry's /v2/, then GET it again with the
    /// credentials through whatever auth the challenge asks for. Returns the identity token a
    /// token server handed out ("" when none).
    /// </summary>
    public async Task<string> LoginAsync(RegistryAuth auth, CancellationToken cancellationToken)
    {
        string host = RegistryHosts.IndexHostname;
        if (!string.IsNullOrEmpty(auth.ServerAddress))
        {
            var address = auth.ServerAddress;
            if (!address.StartsWith("https://", StringComparison.Ordinal) && !address.StartsWith("http://", StringComparison.Ordinal))
            {
                address = "https://" + address;
            }
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                throw DaemonException.InvalidParameter($"unable to parse server address: parse \"{address}\": invalid URI");
            }
            host = uri.Authority;
        }
        Exception? last = null;
        foreach (var endpoint in _hosts.PushEndpoints(RegistryHosts.NormalizeIndexName(host)))
        {
            try
            {
                return await LoginToAsync(endpoint, auth, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && DaemonException.KindOf(e) != ErrorKind.Unauthorized)
            {
                _log.LogLoginFallback(endpoint.V2, e.Message);
                last = e;
            }
        }
        throw last ?? DaemonException.System(Messages.NoEndpoints(host));
    }

    private async Task<string> LoginToAsync(RegistryEndpoint endpoint, RegistryAuth auth, CancellationToken cancellationToken)
    {
        using var client = new RegistryClient(endpoint, "", auth, CertsDir);
        if (await client.PingAsync(cancellationToken) == HttpStatusCode.OK)
        {
            return "";
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint.V2));
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (DaemonException e) when (e.InnerException is RegistryErrorException { Code: "UNAUTHORIZED" })
        {
            throw new DaemonException(ErrorKind.Unauthorized, e.Message, e);
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw DaemonException.System(Messages.LoginFailedStatus(endpoint.V2, (int)response.StatusCode, response.ReasonPhrase ?? ""));
            }
        }
        return client.RefreshToken ?? auth.IdentityToken ?? "";
    }

    /// <summary>moby distribution router getDistributionInfo.</summary>
    public async Task<RemoteImage> InspectAsync(ImageReference reference, RegistryAuth auth, CancellationToken cancellationToken)
    {
        reference = reference.IsNameOnly ? reference.WithDefaultTag() : reference;
        try
        {
            return await OnEndpointsAsync(_hosts.PullEndpoints(reference.Domain), reference.FamiliarString, async endpoint =>
            {
                using var client = new RegistryClient(endpoint, reference.Path, auth, CertsDir, "pull");
                await client.PingAsync(cancellationToken);
                var fetched = await client.GetManifestAsync(reference.Digest?.ToString() ?? reference.Tag!, cancellationToken);
                if (reference.Digest is { } wanted && wanted != fetched.Digest)
                {
                    throw DaemonException.System(Messages.ManifestVerificationFailed(wanted));
                }
                var platforms = new List<OciPlatform>();
                if (MediaTypes.IsIndex(fetched.MediaType))
                {
                    var index = ParseJson(fetched.Bytes, ArchiveJson.Context.OciIndex);
                    platforms.AddRange((index.Manifests ?? []).Where(m => m.Platform is not null).Select(m => m.Platform!));
                }
                else if (MediaTypes.IsManifest(fetched.MediaType))
                {
                    var manifest = ParseJson(fetched.Bytes, ArchiveJson.Context.OciManifest);
                    if (Digest.TryParse(manifest.Config?.Digest, out var configDigest))
                    {
                        var config = ImageService.ParseConfig(await FetchConfigAsync(client, configDigest, cancellationToken));
                        platforms.Add(new OciPlatform { Architecture = config.Architecture, Os = config.Os, Variant = config.Variant });
                    }
                }
                else
                {
                    CheckManifestType(fetched.MediaType, reference);
                }
                return new RemoteImage(fetched.MediaType, fetched.Digest, fetched.Bytes.Length, platforms);
            }, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TranslatePullError(e, reference);
        }
    }

    /// <summary>
    /// GET /images/search: the registry v1 search API of the term's index (docker.io's index
    /// unless the term names a registry). Registries that only speak v2 have none, so the error
    /// says which index could not answer.
    /// </summary>
    public async Task<IReadOnlyList<SearchResult>> SearchAsync(string term, int limit, RegistryAuth auth, CancellationToken cancellationToken)
    {
        string index = RegistryHosts.IndexName;
        string query = term;
        int slash = term.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && (term[..slash].Contains('.', StringComparison.Ordinal) || term[..slash].Contains(':', StringComparison.Ordinal) || term[..slash] == "localhost"))
        {
            index = term[..slash];
            query = term[(slash + 1)..];
        }
        var host = RegistryHosts.IsOfficial(index) ? RegistryHosts.IndexHostname : index;
        var endpoints = RegistryHosts.IsOfficial(index)
            ? [new RegistryEndpoint(new Uri("https://" + host), host, false, false)]
            : _hosts.PushEndpoints(index);
        try
        {
            return await OnEndpointsAsync(endpoints, index, async endpoint =>
            {
                using var transport = new RegistryTransport(endpoint, CertsDir);
                var url = new Uri($"{endpoint.BaseUri.GetLeftPart(UriPartial.Authority)}/v1/search?q={Uri.EscapeDataString(query)}&n={limit}");
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (auth.HasBasic)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", auth.BasicHeader());
                }
                HttpResponseMessage response;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(15));
                    response = await transport.Client.SendAsync(request, timeout.Token);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    throw transport.Translate(HttpMethod.Get, url, e);
                }
                using (response)
                {
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new RegistryHttpException($"unexpected status code {(int)response.StatusCode}", (int)response.StatusCode);
                    }
                    return ParseSearch(await RegistryClient.ReadBoundedAsync(response.Content, 16 << 20, cancellationToken));
                }
            }, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is DaemonException)
        {
            throw DaemonException.Unavailable(Messages.SearchUnavailable(index, e.Message));
        }
    }

    private static List<SearchResult> ParseSearch(byte[] body)
    {
        var results = new List<SearchResult>();
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.TryGetProperty("results", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in array.EnumerateArray())
            {
                results.Add(new SearchResult(
                    r.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
                    r.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "",
                    r.TryGetProperty("is_official", out var o) && o.ValueKind == JsonValueKind.True,
                    r.TryGetProperty("is_automated", out var a) && a.ValueKind == JsonValueKind.True,
                    r.TryGetProperty("star_count", out var s) && s.TryGetInt32(out int stars) ? stars : 0));
            }
        }
        return results;
    }
}
