/*
 * W3's floor for Scripts/bench.sh: a bare libxml2 SAX2 push parse of a (gzip) XML file with empty
 * callbacks, fed by zlib in 256 KiB reads: what debtflow's XML reader would cost if it did nothing
 * with what libxml2 reports. Same parser options as debtflow (XML_PARSE_NONET only: no entity
 * substitution, no DTD loading, no network). Prints the start tags seen and the seconds taken.
 * Build: cc -O2 xml_sax_floor.c $(pkg-config --cflags --libs libxml-2.0) -lz
 */
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static long elements = 0;

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int namespace_count, const xmlChar **namespaces, int attribute_count,
                     int defaulted_count, const xmlChar **attributes) {
    (void)ctx; (void)localname; (void)prefix; (void)uri; (void)namespace_count; (void)namespaces;
    (void)attribute_count; (void)defaulted_count; (void)attributes;
    elements++;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)ctx; (void)localname; (void)prefix; (void)uri;
}

static void on_characters(void *ctx, const xmlChar *text, int length) {
    (void)ctx; (void)text; (void)length;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.xml[.gz]\n", argv[0]);
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    gzFile input = gzopen(argv[1], "rb");
    if (!input) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    gzbuffer(input, 256 * 1024);
    xmlSAXHandler handler;
    memset(&handler, 0, sizeof handler);
    handler.initialized = XML_SAX2_MAGIC;
    handler.startElementNs = on_start;
    handler.endElementNs = on_end;
    handler.characters = on_characters;
    static char buffer[256 * 1024];
    int count = gzread(input, buffer, sizeof buffer);
    xmlParserCtxtPtr parser = xmlCreatePushParserCtxt(&handler, NULL, buffer, count > 0 ? count : 0, argv[1]);
    xmlCtxtUseOptions(parser, XML_PARSE_NONET);
    int status = 0;
    while ((count = gzread(input, buffer, sizeof buffer)) > 0) {
        if (xmlParseChunk(parser, buffer, count, 0) != 0) { status = 1; break; }
    }
    if (status == 0 && xmlParseChunk(parser, NULL, 0, 1) != 0) status = 1;
    if (!parser->wellFormed) status = 1;
    xmlFreeParserCtxt(parser);
    gzclose(input);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%ld %.3f\n", elements, seconds);
    if (status) fprintf(stderr, "%s: not well-formed\n", argv[1]);
    return status;
}
