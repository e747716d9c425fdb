#include "ui/capture.h"

static const capture_class *registered[FLOW_ITEM_COUNT_];

bk_err capture_register(const capture_class *cls)
{
    if (cls == NULL || (unsigned)cls->item >= FLOW_ITEM_COUNT_ || cls->screen == NULL ||
        cls->screen->draw == NULL)
        return BK_ERR_INVALID;
    if (registered[cls->item] != NULL)
        return BK_ERR_EXISTS;
    registered[cls->item] = cls;
    return BK_OK;
}

const capture_class *capture_lookup(flow_item item)
{
    return (unsigned)item < FLOW_ITEM_COUNT_ ? registered[item] : NULL;
}

void capture_clear(void)
{
    for (int i = 0; i < FLOW_ITEM_COUNT_; i++)
        registered[i] = NULL;
}
