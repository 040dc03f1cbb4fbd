# Helpers for the restart report's tests: a headless Chromium to render the HTML, a PNG reader to judge the
# screenshot by its pixels, and the timeline's bars read back from the file.

# The PNG reader: the screenshot is judged by what it shows (colours of the outcomes, how much is not background),
# not by its size. Chromium writes 8-bit RGB or RGBA, non-interlaced; anything else is refused. Compiled on first use
# only: the tests that read the report's text alone do not pay for it.
$script:PngReaderSource = @'
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

public static class StingPngPixels
{
    public sealed class Image { public int Width; public int Height; public byte[] Rgb = Array.Empty<byte>(); }

    public static Image Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 8 || data[0] != 0x89 || data[1] != (byte)'P') throw new InvalidDataException(path + " is not a PNG");
        int width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        for (var at = 8; at + 8 <= data.Length;)
        {
            var length = (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
            var type = System.Text.Encoding.ASCII.GetString(data, at + 4, 4);
            if (type == "IHDR")
            {
                width = BigEndian(data, at + 8); height = BigEndian(data, at + 12);
                int depth = data[at + 16], colour = data[at + 17], interlace = data[at + 20];
                if (depth != 8 || interlace != 0 || (colour != 2 && colour != 6)) throw new InvalidDataException("unsupported PNG: depth " + depth + ", colour type " + colour + ", interlace " + interlace);
                channels = colour == 2 ? 3 : 4;
            }
            else if (type == "IDAT") idat.Write(data, at + 8, length);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = width * channels;
        var previous = new byte[stride];
        var line = new byte[stride];
        var image = new Image { Width = width, Height = height, Rgb = new byte[width * height * 3] };
        for (var y = 0; y < height; y++)
        {
            var filter = bytes[y * (stride + 1)];
            Buffer.BlockCopy(bytes, y * (stride + 1) + 1, line, 0, stride);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? line[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
                int add = filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, 4 => Paeth(a, b, c), _ => throw new InvalidDataException("bad filter " + filter) };
                line[i] = (byte)(line[i] + add);
            }
            for (var x = 0; x < width; x++)
                for (var k = 0; k < 3; k++)
                    image.Rgb[(y * width + x) * 3 + k] = line[x * channels + k];
            (previous, line) = (line, previous);
        }
        return image;
    }

    /// <summary>Pixels within a small distance of the colour (anti-aliasing and colour management shift it a little).</summary>
    public static int CountNear(Image image, int r, int g, int b, int tolerance)
    {
        var count = 0;
        for (var i = 0; i < image.Rgb.Length; i += 3)
            if (Math.Abs(image.Rgb[i] - r) <= tolerance && Math.Abs(image.Rgb[i + 1] - g) <= tolerance && Math.Abs(image.Rgb[i + 2] - b) <= tolerance)
                count++;
        return count;
    }

    public static int DistinctColours(Image image)
    {
        var seen = new HashSet<int>();
        for (var i = 0; i < image.Rgb.Length; i += 3) seen.Add((image.Rgb[i] << 16) | (image.Rgb[i + 1] << 8) | image.Rgb[i + 2]);
        return seen.Count;
    }

    private static int BigEndian(byte[] d, int at) => (d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3];

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
'@

function Initialize-StingPngReader {
    if (-not ('StingPngPixels' -as [type])) { Add-Type -TypeDefinition $script:PngReaderSource }
}

$script:Root = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent

function Get-StingChromium {
    <# The path of a Chromium that renders headless (tools/test-browser.sh installs Debian's when root), or $null. #>
    $path = & bash (Join-Path $script:Root 'tools/test-browser.sh') 2>$null
    if ($LASTEXITCODE -eq 0 -and $path) { "$path".Trim() }
}

function Save-StingScreenshot {
    <# Renders the file in headless Chromium with the flags Debian's package needs as root in a sandbox, into a PNG.
       A profile of its own in a temporary folder (removed after) keeps it off the user's settings. #>
    param([Parameter(Mandatory)] [string] $Chromium, [Parameter(Mandatory)] [string] $Html, [Parameter(Mandatory)] [string] $Png,
        [int] $Width = 1280, [int] $Height = 1000)
    $profile = Join-Path ([System.IO.Path]::GetTempPath()) "stingops-chromium-$([guid]::NewGuid().ToString('N'))"
    try {
        $out = & timeout 120 $Chromium --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars `
            --no-first-run --user-data-dir=$profile "--window-size=$Width,$Height" "--screenshot=$Png" "file://$Html" 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $Png)) {
            throw "chromium did not write a screenshot (exit $LASTEXITCODE): $(($out | Select-Object -Last 5) -join ' | ')"
        }
    }
    finally { Remove-Item -LiteralPath $profile -Recurse -Force -ErrorAction SilentlyContinue }
}

function Read-StingPng([string] $Path) { Initialize-StingPngReader; [StingPngPixels]::Read($Path) }

function Get-StingPngColourCount {
    <# How many pixels of the image are (nearly) the colour, e.g. '#2e8b57'. #>
    param([Parameter(Mandatory)] $Image, [Parameter(Mandatory)] [string] $Colour, [int] $Tolerance = 12)
    $c = [Convert]::FromHexString($Colour.TrimStart('#'))
    [StingPngPixels]::CountNear($Image, $c[0], $c[1], $c[2], $Tolerance)
}

function Get-StingPngDistinctColourCount([Parameter(Mandatory)] $Image) { [StingPngPixels]::DistinctColours($Image) }

function Get-StingReportBar {
    <# The timeline bars of a report (one object per <g class="bar">, with its data attributes: times in ms from the
       run's start, $null where absent), in the order drawn. #>
    param([Parameter(Mandatory)] [string] $Html)
    $text = Get-Content -LiteralPath $Html -Raw
    foreach ($m in [regex]::Matches($text, '<g class="bar [^"]*"([^>]*)>')) {
        $attrs = @{}
        foreach ($a in [regex]::Matches($m.Groups[1].Value, '(data-[a-z-]+)="([^"]*)"')) { $attrs[$a.Groups[1].Value] = [System.Net.WebUtility]::HtmlDecode($a.Groups[2].Value) }
        $ms = { param($k) if ($attrs.ContainsKey($k)) { [double]$attrs[$k] } else { $null } }
        [pscustomobject]@{
            Service = $attrs['data-service']; Status = $attrs['data-status']; Critical = $attrs['data-critical'] -eq 'true'
            StopRequested = & $ms 'data-stop-requested'; Stopped = & $ms 'data-stopped'; Started = & $ms 'data-started'; Ready = & $ms 'data-ready'
            Begin = & $ms 'data-begin'; End = & $ms 'data-end'
        }
    }
}

function Assert-StingReportSelfContained {
    <# Nothing in the file runs or is fetched: no script, no external reference of any kind. #>
    param([Parameter(Mandatory)] [string] $Html)
    $text = Get-Content -LiteralPath $Html -Raw
    $found = @(
        [regex]::Matches($text, '<script|<link\b|<iframe|<img\b|<object|@import|\bsrc\s*=|\bhref\s*=|url\((?!#)|https?:|//[a-z0-9.-]+\.[a-z]{2,}/', 'IgnoreCase') |
            ForEach-Object Value)
    if ($found) { throw "the report is not self-contained: $($found -join ', ')" }
}

Export-ModuleMember -Function Get-StingChromium, Save-StingScreenshot, Read-StingPng, Get-StingPngColourCount, Get-StingPngDistinctColourCount,
    Get-StingReportBar, Assert-StingReportSelfContained
