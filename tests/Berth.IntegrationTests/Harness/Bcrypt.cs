using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Berth.IntegrationTests.Harness;

/// <summary>
/// bcrypt password hashes for htpasswd files (the only scheme docker-registry accepts), made by
/// libxcrypt's crypt(3) so no htpasswd binary (apache2-utils) is needed.
/// </summary>
public static partial class Bcrypt
{
    private const string Alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    [LibraryImport("libcrypt.so.1", EntryPoint = "crypt", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr CryptNative(string key, string setting);

    private static readonly Lock Gate = new(); // crypt(3) returns a static buffer

    public static string Hash(string password)
    {
        var salt = new char[22];
        for (int i = 0; i < salt.Length; i++)
        {
            salt[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        salt[21] = ".Oeu"[RandomNumberGenerator.GetInt32(4)]; // the last character carries only 2 bits
        lock (Gate)
        {
            var result = Marshal.PtrToStringUTF8(CryptNative(password, "$2y$05$" + new string(salt)));
            return result is { Length: 60 } ? result : throw new InvalidOperationException($"crypt(3) failed: {result}");
        }
    }
}
