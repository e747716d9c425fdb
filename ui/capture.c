#include "ui/capture.h"

#include <glib.h>

static const capture_class *registered[FLOW_ITEM_COUNT_];
static void *services[FLOW_ITEM_COUNT_];

bk_err capture_register_service(const capture_class *cls, void *service)
{
    if (cls == NULL || (unsigned)cls->item >= FLOW_ITEM_COUNT_ || cls->screen == NULL ||
        cls->screen->draw == NULL)
        return BK_ERR_INVALID;
    if (registered[cls->item] != NULL)
        return BK_ERR_EXISTS;
    registered[cls->item] = cls;
    services[cls->item] = service;
    return BK_OK;
}

bk_err capture_register(const capture_class *cls)
{
    return capture_register_service(cls, NULL);
}

const capture_class *capture_lookup(flow_item item)
{
    return (unsigned)item < FLOW_ITEM_COUNT_ ? registered[item] : NULL;
}

void *capture_service(flow_item item)
{
    return (unsigned)item < FLOW_ITEM_COUNT_ ? services[item] : NULL;
}

void capture_status(flow_item item, char *buf, size_t size)
{
    const capture_class *cc = capture_lookup(item);
    if (size > 0)
        buf[0] = '\0';
    if (cc == NULL)
        return;
    if (cc->status)
        cc->status(services[item], buf, size);
    else
        g_snprintf(buf, size, "%s: %s", flow_item_str(item), cc->screen->name);
}

bk_err capture_check(flow_item item, const capture_check_run *run)
{
    const capture_class *cc = capture_lookup(item);
    if (cc == NULL || cc->check == NULL)
        return BK_ERR_UNAVAILABLE;
    return cc->check(services[item], run);
}

void capture_clear(void)
{
    for (int i = 0; i < FLOW_ITEM_COUNT_; i++) {
        registered[i] = NULL;
        services[i] = NULL;
    }
}
