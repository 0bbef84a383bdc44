using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Berth.IntegrationTests.Harness;

/// <summary>
/// A registry token server in the test process (HttpListener on 127.0.0.1): issues RS256 JWTs
/// with an x5c header signed by an openssl-made certificate that docker-registry trusts
/// (rootcertbundle). Known users get the actions they ask for; anyone else gets a token with no
/// access (the registry then answers insufficient_scope). With offline_token=true it hands out a
/// refresh token, redeemable by POST grant_type=refresh_token (docker's identity tokens).
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "berth-it-registry";
    public const string Issuer = "berth-it-issuer";

    private readonly HttpListener _listener = new();
    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new();
    private readonly RSA _key;
    private readonly string _certDer;
    private readonly Task _loop;

    private TokenServer(IReadOnlyDictionary<string, string> users, string dir, RSA key, string certDer)
    {
        _users = users;
        Directory = dir;
        _key = key;
        _certDer = certDer;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Directory { get; }

    public string Realm => $"http://127.0.0.1:{Port}/token";

    public string CertBundle => Path.Combine(Directory, "token-cert.pem");

    /// <summary>Requests seen, e.g. "GET account=alice scope=repository:x/a:pull".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<TokenServer> StartAsync(IReadOnlyDictionary<string, string> users)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("berth-it-token-").FullName;
        var key = Path.Combine(dir, "token-key.pem");
        var cert = Path.Combine(dir, "token-cert.pem");
        var result = await ProcessRunner.RunAsync("openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=berth-it-token"],
            null, null, TimeSpan.FromSeconds(60));
        result.EnsureSuccess();
        var rsa = RSA.Create();
        rsa.ImportFromPem(await File.ReadAllTextAsync(key));
        using var x509 = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cert));
        return new TokenServer(users, dir, rsa, Convert.ToBase64String(x509.RawData));
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            string? user = null;
            var scopes = new List<string>();
            bool offline = false;
            if (request.HttpMethod == "POST")
            {
                using var reader = new StreamReader(request.InputStream);
                var form = ParseQuery(reader.ReadToEnd());
                scopes.AddRange(form.Where(f => f.Key == "scope").SelectMany(f => f.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                var grant = form.FirstOrDefault(f => f.Key == "grant_type").Value;
                if (grant == "refresh_token" && _refreshTokens.TryGetValue(form.FirstOrDefault(f => f.Key == "refresh_token").Value ?? "", out var owner))
                {
                    user = owner;
                }
                else if (grant == "password" && Check(form.FirstOrDefault(f => f.Key == "username").Value, form.FirstOrDefault(f => f.Key == "password").Value))
                {
                    user = form.First(f => f.Key == "username").Value;
                }
                else
                {
                    Deny(response);
                    return;
                }
                offline = true;
            }
            else
            {
                var query = ParseQuery(request.Url!.Query.TrimStart('?'));
                scopes.AddRange(query.Where(q => q.Key == "scope").SelectMany(q => q.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                offline = query.Any(q => q.Key == "offline_token" && q.Value == "true");
                if (request.Headers["Authorization"] is { } header && header.StartsWith("Basic ", StringComparison.Ordinal))
                {
                    var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
                    if (pair.Length != 2 || !Check(pair[0], pair[1]))
                    {
                        Deny(response);
                        return;
                    }
                    user = pair[0];
                }
            }
            Requests.Enqueue($"{request.HttpMethod} account={user} scope={string.Join(' ', scopes)}");
            var token = Issue(user, user is null ? [] : scopes);
            using var body = new MemoryStream();
            using (var w = new Utf8JsonWriter(body))
            {
                w.WriteStartObject();
                w.WriteString("token", token);
                w.WriteString("access_token", token);
                w.WriteNumber("expires_in", 300);
                w.WriteString("issued_at", DateTimeOffset.UtcNow.ToString("O"));
                if (offline && user is not null)
                {
                    var refresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                    _refreshTokens[refresh] = user;
                    w.WriteString("refresh_token", refresh);
                }
                w.WriteEndObject();
            }
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.OutputStream.Write(body.ToArray());
            response.Close();
        }
        catch (Exception e) when (e is IOException or HttpListenerException or InvalidOperationException or FormatException)
        {
            response.Abort();
        }
    }

    private bool Check(string? user, string? password) =>
        user is not null && _users.TryGetValue(user, out var expected) && expected == password;

    private static void Deny(HttpListenerResponse response)
    {
        response.StatusCode = 401;
        response.ContentType = "application/json";
        response.OutputStream.Write("{\"details\":\"incorrect username or password\"}"u8);
        response.Close();
    }

    private string Issue(string? user, IEnumerable<string> scopes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            w.WriteString("typ", "JWT");
            w.WriteString("alg", "RS256");
            w.WriteStartArray("x5c");
            w.WriteStringValue(_certDer);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        using var claims = new MemoryStream();
        using (var w = new Utf8JsonWriter(claims))
        {
            w.WriteStartObject();
            w.WriteString("iss", Issuer);
            w.WriteString("sub", user ?? "");
            w.WriteString("aud", Service);
            w.WriteNumber("exp", now + 300);
            w.WriteNumber("nbf", now - 10);
            w.WriteNumber("iat", now);
            w.WriteString("jti", Guid.NewGuid().ToString("N"));
            w.WriteStartArray("access");
            foreach (var scope in scopes)
            {
                var parts = scope.Split(':');
                if (parts.Length < 3)
                {
                    continue;
                }
                w.WriteStartObject();
                w.WriteString("type", parts[0]);
                w.WriteString("name", string.Join(':', parts[1..^1]));
                w.WriteStartArray("actions");
                foreach (var action in parts[^1].Split(','))
                {
                    w.WriteStringValue(action);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var signingInput = Base64Url(header.ToArray()) + "." + Base64Url(claims.ToArray());
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static List<KeyValuePair<string, string>> ParseQuery(string query) =>
        [.. query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var kv = p.Split('=', 2);
            return new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0].Replace('+', ' ')), kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "");
        })];

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        _key.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
