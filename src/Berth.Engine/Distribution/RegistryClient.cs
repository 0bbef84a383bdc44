using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Distribution;

/// <summary>
/// A client for one repository on one endpoint (OCI distribution spec): ping, authorization
/// (Basic, or Bearer tokens fetched from the challenge's realm and cached until they expire),
/// manifests, blobs, uploads and mounts. Errors carry dockerd's texts.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly RegistryTransport _transport;
    private readonly RegistryAuth _auth;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private readonly SortedSet<string> _scopes = new(StringComparer.Ordinal);
    private IReadOnlyList<AuthChallenge> _challenges = [];
    private string? _token;
    private string? _tokenScopes;
    private DateTimeOffset _tokenExpires;

    public RegistryClient(RegistryEndpoint endpoint, string repository, RegistryAuth auth, string certsDir, params string[] actions)
    {
        Endpoint = endpoint;
        Repository = repository;
        _auth = auth;
        _transport = new RegistryTransport(endpoint, certsDir);
        if (actions.Length > 0)
        {
            _scopes.Add($"repository:{repository}:{string.Join(',', actions)}");
        }
    }

    public RegistryEndpoint Endpoint { get; }

    /// <summary>The repository path on the registry ("library/busybox", "x/busybox").</summary>
    public string Repository { get; }

    /// <summary>A refresh token the token server handed out (docker login keeps it as IdentityToken).</summary>
    public string? RefreshToken { get; private set; }

    /// <summary>Adds a scope (cross-repository mounts need pull on the source); the next request fetches a new token.</summary>
    public void AddScope(string scope) => _scopes.Add(scope);

    /// <summary>GET /v2/ without credentials: learns the auth challenges. Any HTTP answer is fine.</summary>
    public async Task<HttpStatusCode> PingAsync(CancellationToken cancellationToken)
    {
        var url = new Uri(Endpoint.V2);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await SendRawAsync(request, cancellationToken);
        _challenges = response.StatusCode == HttpStatusCode.Unauthorized ? ChallengesOf(response) : [];
        return response.StatusCode;
    }

    /// <summary>Sends with authorization; the caller owns (and disposes) the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(request, cancellationToken);
        return await SendRawAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _transport.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw _transport.Translate(request.Method, request.RequestUri!, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw _transport.Translate(request.Method, request.RequestUri!, e);
        }
    }

    /// <summary>The registry's error for a failed response (the body is read, bounded).</summary>
    public static async Task<DaemonException> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body = [];
        try
        {
            body = await ReadBoundedAsync(response.Content, 1 << 20, cancellationToken);
        }
        catch (IOException)
        {
        }
        return RegistryErrors.FromResponse((int)response.StatusCode, response.ReasonPhrase ?? "", ChallengesOf(response), body);
    }

    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > max)
            {
                throw DaemonException.InvalidParameter($"response exceeds {max} bytes");
            }
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static IReadOnlyList<AuthChallenge> ChallengesOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("WWW-Authenticate", out var values) ? AuthChallenge.Parse(values) : [];

    private async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_auth.RegistryToken is { } registryToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", registryToken);
            return;
        }
        foreach (var challenge in _challenges)
        {
            if (challenge.Scheme == "bearer")
            {
                var token = await TokenAsync(challenge, request, cancellationToken);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return;
            }
            if (challenge.Scheme == "basic")
            {
                if (!_auth.HasBasic)
                {
                    throw new RegistryTransportException($"{RegistryTransport.Op(request.Method)} \"{request.RequestUri}\": no basic auth credentials", false);
                }
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _auth.BasicHeader());
                return;
            }
        }
    }

    private async Task<string> TokenAsync(AuthChallenge challenge, HttpRequestMessage original, CancellationToken cancellationToken)
    {
        await _tokenGate.WaitAsync(cancellationToken);
        try
        {
            string scopes = string.Join(' ', _scopes);
            if (_token is not null && _tokenScopes == scopes && DateTimeOffset.UtcNow < _tokenExpires)
            {
                return _token;
            }
            try
            {
                var (token, expires) = await FetchTokenAsync(challenge, cancellationToken);
                _token = token;
                _tokenScopes = scopes;
                _tokenExpires = expires;
                return token;
            }
            catch (DaemonException e) when (e is not RegistryTransportException)
            {
                // The token request is part of the original request in Go (a transport modifier): url.Error wording.
                throw new DaemonException(e.Kind, $"{RegistryTransport.Op(original.Method)} \"{original.RequestUri}\": {e.Message}", e);
            }
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    /// <summary>
    /// docker/distribution's token handler: with a refresh token, POST the OAuth2 form; otherwise
    /// GET realm?service=&amp;scope= with the Basic credentials (if any). Tokens live expires_in
    /// seconds (60 when unsaid), renewed a little early.
    /// </summary>
    private async Task<(string Token, DateTimeOffset Expires)> FetchTokenAsync(AuthChallenge challenge, CancellationToken cancellationToken)
    {
        var realm = challenge.Get("realm") ?? throw DaemonException.InvalidParameter("no realm specified for token auth challenge");
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw DaemonException.InvalidParameter($"invalid token auth challenge realm: {realm}");
        }
        var service = challenge.Get("service") ?? "";
        using var request = new HttpRequestMessage();
        if (_auth.IdentityToken is { } refresh)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("refresh_token", refresh),
                new("service", service),
                new("client_id", "docker"),
                new("access_type", "offline"),
            };
            if (_scopes.Count > 0)
            {
                form.Add(new("scope", string.Join(' ', _scopes)));
            }
            request.Method = HttpMethod.Post;
            request.RequestUri = realmUri;
            request.Content = new FormUrlEncodedContent(form);
        }
        else
        {
            var query = new List<string>();
            if (service.Length > 0)
            {
                query.Add("service=" + Uri.EscapeDataString(service));
            }
            foreach (var scope in _scopes)
            {
                query.Add("scope=" + Uri.EscapeDataString(scope));
            }
            if (_auth.HasBasic)
            {
                query.Add("account=" + Uri.EscapeDataString(_auth.Username!));
                query.Add("offline_token=true");
                query.Add("client_id=docker");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _auth.BasicHeader());
            }
            var builder = new UriBuilder(realmUri);
            var existing = builder.Query.TrimStart('?');
            builder.Query = string.Join('&', new[] { existing }.Where(q => q.Length > 0).Concat(query));
            request.Method = HttpMethod.Get;
            request.RequestUri = builder.Uri;
        }
        using var response = await SendRawAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await ErrorOf(response, cancellationToken);
        }
        var body = await ReadBoundedAsync(response.Content, 1 << 20, cancellationToken);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        string? token = Str(root, "token") ?? Str(root, "access_token");
        if (string.IsNullOrEmpty(token))
        {
            throw DaemonException.Unauthorized("authorization server did not include a token in the response");
        }
        if (Str(root, "refresh_token") is { Length: > 0 } newRefresh)
        {
            RefreshToken = newRefresh;
        }
        int lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out int s) && s > 0 ? s : 60;
        return (token, DateTimeOffset.UtcNow.AddSeconds(Math.Max(lifetime - 5, lifetime / 2)));
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public Uri Url(string relative) => new(Endpoint.V2 + Repository + "/" + relative);

    public void Dispose()
    {
        _transport.Dispose();
        _tokenGate.Dispose();
    }
}
